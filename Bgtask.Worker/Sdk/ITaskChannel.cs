using System.Text.Json;

namespace Bgtask.Worker.Sdk;

/// <summary>
/// How a running task talks to the service. A worker process speaks the HTTP contract
/// (<see cref="Client.HttpTaskChannel"/>); the service's in-process launcher calls its storage directly.
/// </summary>
public interface ITaskChannel
{
    /// <summary>Marks the task started (safe to repeat) and reads what it is to run.</summary>
    Task<TaskStart> StartAsync(CancellationToken ct);

    /// <summary>
    /// A progress report, which is also the heartbeat. Periodic reports try once (the next one carries the
    /// newest state anyway); the final report (<paramref name="retry"/>) retries like the ending itself.
    /// </summary>
    Task ReportAsync(ProgressReport report, bool retry, CancellationToken ct);

    /// <summary>
    /// Consumes the pending signals, holding up to <paramref name="wait"/> when there are none and the task's config
    /// is still at <paramref name="knownVersion"/> (the version the runner holds).
    /// </summary>
    Task<SignalBatch> ReadSignalsAsync(TimeSpan wait, int knownVersion, CancellationToken ct);

    Task<ConfigSnapshot> GetConfigAsync(CancellationToken ct);

    Task AppendLogAsync(IReadOnlyList<string> lines, CancellationToken ct);

    /// <summary>The final status. Must not be lost: implementations retry until their window is over.</summary>
    Task EndAsync(TaskEnding ending, string? message, CancellationToken ct);
}

public sealed record TaskStart(string Task, ConfigSnapshot Config);

public sealed record ConfigSnapshot(int Version, JsonElement Config);

public readonly record struct ProgressReport(long OpTotal, long OpFinished, bool Sleeping, long Memory, long MemoryPeak);

/// <param name="Ended">The task is terminal (for example killed, or ended by its time limit).</param>
public sealed record SignalBatch(IReadOnlyList<string> Signals, int ConfigVersion, bool Ended);

public enum TaskEnding { Finished, Stopped, Error }

/// <summary>The service says the task has ended or is gone: the runner stops working for it.</summary>
public sealed class TaskEndedException(string message) : Exception(message);
