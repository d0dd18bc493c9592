using System.Text.Json;

namespace Bgtask.Tests.Client;

// The contract's bodies as the tests see them on the wire. Deliberately not the product's own records: enums are
// plain strings here, so a test reads like CONTRACT.md and a renamed value shows up as a failure.

public sealed record NewRecord(string? Description, string? Task = null, long? Parent = null, object? Exclusive = null);

public sealed record StateReport(long? OpTotal, long? OpFinished, string? Status = null, long? Memory = null,
    long? MemoryPeak = null);

public sealed record MessageBody(string? Message);

public sealed record SignalBody(string? Signal);

public sealed record LogBody(IReadOnlyList<string?>? Lines);

public sealed record TaskView(
    long Pid,
    string Task,
    string? Description,
    string Launcher,
    long? Parent,
    string Status,
    long OpTotal,
    long OpFinished,
    double Progress,
    long Memory,
    long MemoryPeak,
    string? Message,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? HeartbeatAt,
    double? RuntimeSeconds,
    double? Rate,
    double? EtaSeconds,
    bool Live,
    string? Node = null,
    bool Frozen = false,
    string? Exclusive = null);

public sealed record TaskPageView(List<TaskView> Items, long? Next);

public sealed record LiveView(long Pid, bool Live);

public sealed record KillView(long Pid, bool Killed);

public sealed record SignalView(long Id, long Pid, string Signal, DateTimeOffset CreatedAt);

public sealed record RemovedView(int Removed);

public sealed record ConfigView(long Pid, int Version, JsonElement Config);

public sealed record LogLineView(long Seq, DateTimeOffset At, string Line);

public sealed record LogPageView(List<LogLineView> Items, long? Next);

/// <param name="Pid">The holder of an exclusive key, in a 409 for a launch or record that asked for it.</param>
public sealed record ProblemView(string? Type, string? Title, int? Status, string? Detail,
    Dictionary<string, string[]>? Errors, long? Pid = null);

/// <summary>A signals read: the signals and the <c>Bgtask-Config-Version</c> header that came with them.</summary>
public sealed record SignalsRead(List<SignalView> Signals, int ConfigVersion);

public static class Statuses
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Sleeping = "sleeping";
    public const string Stopped = "stopped";
    public const string Finished = "finished";
    public const string Error = "error";
}
