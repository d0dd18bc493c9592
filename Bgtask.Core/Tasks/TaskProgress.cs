namespace Bgtask.Core.Tasks;

/// <summary>
/// What a progress report changes on a task, as one value: the operations, the memory figures, the start, the
/// heartbeat and the rate window. A report makes it (<see cref="Next"/>), a writer stores it and a reader merges it
/// into a stored row (<see cref="MergeInto"/>); the two rules that are not plain copies, a peak that never shrinks
/// and a start stamped once, are written in those two places only (and in its UPDATE, <c>ProgressStatements</c>).
/// </summary>
public readonly record struct TaskProgress(
    long OpTotal,
    long OpFinished,
    long Memory,
    long MemoryPeak,
    DateTime? StartedAt,
    DateTime? HeartbeatAt,
    double? Rate,
    long? RateSinceOps,
    DateTime? RateSinceAt)
{
    public static TaskProgress Of(BackgroundTask t) =>
        new(t.OpTotal, t.OpFinished, t.Memory, t.MemoryPeak, t.StartedAt, t.HeartbeatAt, t.Rate, t.RateSinceOps, t.RateSinceAt);

    /// <summary>The task's progress after <paramref name="report"/>, which leaves it <paramref name="status"/>.</summary>
    public static TaskProgress Next(BackgroundTask task, StateReport report, BackgroundTaskStatus status, DateTime now)
    {
        var rate = RateWindow.Next(task, report.OpFinished, now);
        var reportedPeak = Math.Max(report.MemoryPeak ?? 0, report.Memory ?? 0);
        return new(report.OpTotal, report.OpFinished,
            Memory: report.Memory ?? task.Memory,
            MemoryPeak: Math.Max(task.MemoryPeak, reportedPeak),
            StartedAt: task.StartedAt ?? (status == BackgroundTaskStatus.Running ? now : null),
            HeartbeatAt: now,
            rate.Rate, rate.SinceOps, rate.SinceAt);
    }

    /// <summary>Writes this progress onto a row: the larger peak wins, and a start already stamped stays.</summary>
    public void MergeInto(BackgroundTask t)
    {
        t.OpTotal = OpTotal;
        t.OpFinished = OpFinished;
        t.Memory = Memory;
        t.MemoryPeak = Math.Max(t.MemoryPeak, MemoryPeak);
        t.StartedAt ??= StartedAt;
        t.HeartbeatAt = HeartbeatAt;
        (t.Rate, t.RateSinceOps, t.RateSinceAt) = (Rate, RateSinceOps, RateSinceAt);
    }
}
