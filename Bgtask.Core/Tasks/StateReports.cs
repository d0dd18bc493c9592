using Bgtask.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Tasks;

/// <summary>
/// The two halves of a progress report, for a writer that coalesces them: apply it to a task held in memory,
/// and later store that task's newest progress with one guarded UPDATE (it only matches a live task).
/// </summary>
public static class StateReports
{
    /// <summary>A live task with a same-status report applied: the task as it will be stored.</summary>
    public static BackgroundTask Applied(this BackgroundTask task, StateReport report, DateTime now)
    {
        var status = report.Status ?? task.Status;
        var peak = Math.Max(report.MemoryPeak ?? 0, report.Memory ?? 0);
        var rate = RateWindow.Next(task, report.OpFinished, now);
        var next = task.MemberwiseCopy();
        next.OpTotal = report.OpTotal;
        next.OpFinished = report.OpFinished;
        next.Status = status;
        next.StartedAt ??= status == BackgroundTaskStatus.Running ? now : null;
        next.Memory = report.Memory ?? task.Memory;
        next.MemoryPeak = Math.Max(task.MemoryPeak, peak);
        next.HeartbeatAt = now;
        (next.Rate, next.RateSinceOps, next.RateSinceAt) = (rate.Rate, rate.SinceOps, rate.SinceAt);
        return next;
    }

    /// <returns>false when the task is no longer live (ended or removed, perhaps by another replica).</returns>
    public static async Task<bool> StoreProgressAsync(this BgtaskDbContext db, BackgroundTask task, CancellationToken ct) =>
        await db.Tasks
            .Where(t => t.Id == task.Id && t.Status <= BackgroundTaskStatus.Sleeping)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.OpTotal, task.OpTotal)
                .SetProperty(t => t.OpFinished, task.OpFinished)
                .SetProperty(t => t.StartedAt, t => t.StartedAt ?? task.StartedAt)
                .SetProperty(t => t.Memory, task.Memory)
                .SetProperty(t => t.MemoryPeak, t => t.MemoryPeak > task.MemoryPeak ? t.MemoryPeak : task.MemoryPeak)
                .SetProperty(t => t.HeartbeatAt, task.HeartbeatAt)
                .SetProperty(t => t.Rate, task.Rate)
                .SetProperty(t => t.RateSinceOps, task.RateSinceOps)
                .SetProperty(t => t.RateSinceAt, task.RateSinceAt), ct) == 1;
}
