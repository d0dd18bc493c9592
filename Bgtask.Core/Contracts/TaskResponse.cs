using Bgtask.Core.Tasks;

namespace Bgtask.Core.Contracts;

/// <summary>The contract's task resource.</summary>
public sealed record TaskResponse(
    long Pid,
    string Task,
    string? Description,
    LauncherKind Launcher,
    long? Parent,
    BackgroundTaskStatus Status,
    long OpTotal,
    long OpFinished,
    double Progress,
    long Memory,
    long MemoryPeak,
    string? Message,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    DateTime? HeartbeatAt,
    double? RuntimeSeconds,
    double? Rate,
    double? EtaSeconds,
    bool Live,
    string? Node,
    bool Frozen,
    string? Exclusive)
{
    /// <param name="runnerAlive">False when the task's runner is known to be gone.</param>
    public static TaskResponse From(BackgroundTask t, DateTime now, bool runnerAlive = true)
    {
        var terminal = t.Status.IsTerminal();
        double? runtime = t.StartedAt is { } started
            ? Math.Max(0, ((t.FinishedAt ?? now) - started).TotalSeconds)
            : null;
        double? eta = !terminal && t.Rate is > 0 && t.OpTotal > 0
            ? Math.Max(0, t.OpTotal - t.OpFinished) / t.Rate.Value
            : null;
        return new TaskResponse(
            t.Id, t.Task, t.Description, t.Launcher, t.ParentId, t.Status,
            t.OpTotal, t.OpFinished,
            t.OpTotal == 0 ? 0 : (double)t.OpFinished / t.OpTotal,
            t.Memory, t.MemoryPeak, t.Message,
            t.CreatedAt, t.StartedAt, t.FinishedAt, t.HeartbeatAt,
            runtime, t.Rate, eta,
            t.Status.IsLive() && runnerAlive,
            t.RunnerNode, t.Frozen, t.Exclusive);
    }
}
