using Bgtask.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Tasks;

/// <summary>
/// Every status change is one guarded UPDATE: it only matches the states the contract allows to move,
/// so of two concurrent callers exactly one wins and the other sees 0 rows. Every move to a terminal status (here
/// and in <see cref="TaskSupervision"/>) also frees the task's exclusive key.
/// </summary>
public static class TaskTransitions
{
    public static Task<BackgroundTask?> FindTaskAsync(this BgtaskDbContext db, long pid, CancellationToken ct) =>
        db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == pid, ct);

    /// <summary><c>started</c>: pending → running. Already running or sleeping is a harmless retry.</summary>
    public static async Task<Change> StartAsync(this BgtaskDbContext db, long pid, DateTime now, CancellationToken ct)
    {
        var moved = await db.Tasks
            .Where(t => t.Id == pid && t.Status == BackgroundTaskStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, BackgroundTaskStatus.Running)
                .SetProperty(t => t.StartedAt, t => t.StartedAt ?? now)
                .SetProperty(t => t.HeartbeatAt, now), ct);
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return Change.NotFound;
        if (moved == 1) return new(ChangeOutcome.Changed, task);
        return new(task.Status is BackgroundTaskStatus.Running or BackgroundTaskStatus.Sleeping
            ? ChangeOutcome.Unchanged
            : ChangeOutcome.Conflict, task);
    }

    /// <summary><c>finished</c>, <c>stopped</c>, <c>error</c> and kill: a live task → a terminal status.</summary>
    /// <param name="progress">
    /// The task's newest progress not stored yet (a coalescing writer's pending report), stored by the same
    /// statement: the ending and its final progress land together.
    /// </param>
    public static async Task<Change> EndAsync(this BgtaskDbContext db, long pid, BackgroundTaskStatus status,
        string? message, DateTime now, CancellationToken ct, BackgroundTask? progress = null)
    {
        if (!status.IsTerminal()) throw new ArgumentOutOfRangeException(nameof(status), status, "not a terminal status");
        var live = db.Tasks.Where(t => t.Id == pid && t.Status <= BackgroundTaskStatus.Sleeping);
        var moved = progress is not { } p
            ? await live.ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, status)
                .SetProperty(t => t.Message, t => status == BackgroundTaskStatus.Stopped ? t.StopReason ?? message : message)
                .SetProperty(t => t.FinishedAt, now)
                .SetProperty(t => t.ExclusiveHeld, (string?)null)
                .SetProperty(t => t.HeartbeatAt, now), ct)
            : await live.ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, status)
                .SetProperty(t => t.Message, t => status == BackgroundTaskStatus.Stopped ? t.StopReason ?? message : message)
                .SetProperty(t => t.FinishedAt, now)
                .SetProperty(t => t.ExclusiveHeld, (string?)null)
                .SetProperty(t => t.HeartbeatAt, now)
                .SetProperty(t => t.OpTotal, p.OpTotal)
                .SetProperty(t => t.OpFinished, p.OpFinished)
                .SetProperty(t => t.StartedAt, t => t.StartedAt ?? p.StartedAt)
                .SetProperty(t => t.Memory, p.Memory)
                .SetProperty(t => t.MemoryPeak, t => t.MemoryPeak > p.MemoryPeak ? t.MemoryPeak : p.MemoryPeak)
                .SetProperty(t => t.Rate, p.Rate)
                .SetProperty(t => t.RateSinceOps, p.RateSinceOps)
                .SetProperty(t => t.RateSinceAt, p.RateSinceAt), ct);
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return Change.NotFound;
        if (moved == 1) return new(ChangeOutcome.Changed, task);
        return new(task.Status == status ? ChangeOutcome.Unchanged : ChangeOutcome.Conflict, task);
    }

    /// <summary>A progress report on a live task; it is also the task's heartbeat.</summary>
    public static async Task<Change> ReportStateAsync(this BgtaskDbContext db, long pid, StateReport report,
        DateTime now, CancellationToken ct)
    {
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return Change.NotFound;
        if (task.Status.IsTerminal()) return new(ChangeOutcome.Conflict, task);

        var status = report.Status ?? task.Status;
        var startedAt = task.StartedAt ?? (status == BackgroundTaskStatus.Running ? now : null);
        var peak = Math.Max(report.MemoryPeak ?? 0, report.Memory ?? 0);
        var rate = RateWindow.Next(task, report.OpFinished, now);

        var moved = await db.Tasks
            .Where(t => t.Id == pid && t.Status <= BackgroundTaskStatus.Sleeping)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.OpTotal, report.OpTotal)
                .SetProperty(t => t.OpFinished, report.OpFinished)
                .SetProperty(t => t.Status, status)
                .SetProperty(t => t.StartedAt, t => t.StartedAt ?? startedAt)
                .SetProperty(t => t.Memory, t => report.Memory ?? t.Memory)
                .SetProperty(t => t.MemoryPeak, t => t.MemoryPeak > peak ? t.MemoryPeak : peak)
                .SetProperty(t => t.HeartbeatAt, now)
                .SetProperty(t => t.Rate, rate.Rate)
                .SetProperty(t => t.RateSinceOps, rate.SinceOps)
                .SetProperty(t => t.RateSinceAt, rate.SinceAt), ct);
        if (moved == 0)
        {
            // It ended between the read and the update.
            task = await db.FindTaskAsync(pid, ct);
            return task is null ? Change.NotFound : new(ChangeOutcome.Conflict, task);
        }

        var before = task.Status;
        task.OpTotal = report.OpTotal;
        task.OpFinished = report.OpFinished;
        task.Status = status;
        task.StartedAt ??= startedAt;
        task.Memory = report.Memory ?? task.Memory;
        task.MemoryPeak = Math.Max(task.MemoryPeak, peak);
        task.HeartbeatAt = now;
        (task.Rate, task.RateSinceOps, task.RateSinceAt) = (rate.Rate, rate.SinceOps, rate.SinceAt);
        return new(before == status ? ChangeOutcome.Unchanged : ChangeOutcome.Changed, task);
    }
}

/// <summary>A validated <c>PUT state</c>: <see cref="Status"/> is null, running or sleeping.</summary>
public sealed record StateReport(long OpTotal, long OpFinished, BackgroundTaskStatus? Status, long? Memory, long? MemoryPeak);
