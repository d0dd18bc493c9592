namespace Bgtask.Api.Events;

/// <summary>
/// One announced change, as sent on the event streams: <see cref="Type"/> is <c>task</c> (the task resource
/// after the change), <c>log</c> (new log lines) or <c>removed</c>; <see cref="Data"/> is its JSON, serialized at
/// most once: at once, or (for the frequent progress events, which usually nobody is watching) when a stream first
/// sends it.
/// </summary>
public sealed class TaskEvent(long seq, string type, long pid, bool terminal, int size, Func<string> serialize)
{
    private string? _data;

    public long Seq => seq;
    public string Type => type;
    public long Pid => pid;
    public bool Terminal => terminal;

    /// <summary>What it counts against the buffer's byte limit: its JSON's length, or an estimate until serialized.</summary>
    public int Size => size;

    public string Data => _data ??= serialize();
}

/// <summary>The <c>log</c> event's data: the lines just stored, oldest first.</summary>
public sealed record LogEventData(long Pid, IReadOnlyList<Bgtask.Core.Contracts.LogLineResponse> Items);

/// <summary>The <c>removed</c> event's data.</summary>
public sealed record RemovedEventData(long Pid);

/// <summary>The <c>snapshot</c> event's data: the current task(s), sent first when a client cannot resume exactly.</summary>
public sealed record SnapshotEventData(IReadOnlyList<Bgtask.Core.Contracts.TaskResponse> Items);

/// <summary>The <c>config</c> event's data: the task's config has a new version.</summary>
public sealed record ConfigEventData(long Pid, int Version);
