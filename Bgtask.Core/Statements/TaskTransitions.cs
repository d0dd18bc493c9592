using System.Linq.Expressions;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace Bgtask.Core.Statements;

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
        if (moved == 1) return await db.StatusPointAsync(task, now, ct);
        return new(task.Status is BackgroundTaskStatus.Running or BackgroundTaskStatus.Sleeping
            ? ChangeOutcome.Unchanged
            : ChangeOutcome.Conflict, task);
    }

    /// <summary>
    /// What every ending writes, whichever way a task ends (its runner, kill, a lost runner, a silent one, a queued
    /// launch stopped): the terminal status, its message (a stop the service asked for keeps the service's reason),
    /// the finish time; the exclusive key and any freeze are let go.
    /// </summary>
    internal static Expression<Func<SetPropertyCalls<BackgroundTask>, SetPropertyCalls<BackgroundTask>>> Ending(
        BackgroundTaskStatus status, string? message, DateTime now)
    {
        if (!status.IsTerminal()) throw new ArgumentOutOfRangeException(nameof(status), status, "not a terminal status");
        return s => s
            .SetProperty(t => t.Status, status)
            .SetProperty(t => t.Message, t => status == BackgroundTaskStatus.Stopped ? t.StopReason ?? message : message)
            .SetProperty(t => t.FinishedAt, now)
            .SetProperty(t => t.ExclusiveHeld, (string?)null)
            .SetProperty(t => t.Frozen, false)
            .SetProperty(t => t.FrozenFrom, (BackgroundTaskStatus?)null);
    }

    /// <summary><c>finished</c>, <c>stopped</c>, <c>error</c> and kill: a live task → a terminal status.</summary>
    /// <param name="progress">
    /// The task's newest progress not stored yet (a coalescing writer's pending report), stored by the same
    /// statement: the ending and its final progress land together.
    /// </param>
    public static async Task<Change> EndAsync(this BgtaskDbContext db, long pid, BackgroundTaskStatus status,
        string? message, DateTime now, CancellationToken ct, TaskProgress? progress = null)
    {
        var ending = Ending(status, message, now);
        // The ending is the task's last heartbeat, with or without its pending progress.
        var setters = progress is { } p
            ? ProgressStatements.SetProgress(p with { HeartbeatAt = now }).Then(ending)
            : ending.Then(s => s.SetProperty(t => t.HeartbeatAt, now));
        var moved = await db.Tasks.WhereLive().Where(t => t.Id == pid).ExecuteUpdateAsync(setters, ct);
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return Change.NotFound;
        if (moved == 1) return await db.StatusPointAsync(task, now, ct);
        return new(task.Status == status ? ChangeOutcome.Unchanged : ChangeOutcome.Conflict, task);
    }

    /// <summary>A progress report on a live task, stored at once; it is also the task's heartbeat.</summary>
    public static async Task<Change> ReportStateAsync(this BgtaskDbContext db, long pid, StateReport report,
        DateTime now, CancellationToken ct)
    {
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return Change.NotFound;
        if (task.Status.IsTerminal()) return new(ChangeOutcome.Conflict, task);

        var next = report.AppliedTo(task, now);
        var reported = next.Status;
        if (task.Frozen) (next.FrozenFrom, next.Status) = (reported, task.Status);
        var moved = await db.Tasks.WhereLive().Where(t => t.Id == pid).ExecuteUpdateAsync(
            ProgressStatements.SetProgress(TaskProgress.Of(next)).Then(s => s
                // A frozen task stays sleeping: a report that was on its way when it froze changes what thaw restores.
                .SetProperty(t => t.Status, t => t.Frozen ? t.Status : reported)
                .SetProperty(t => t.FrozenFrom, t => t.Frozen ? reported : t.FrozenFrom)), ct);
        if (moved == 0)
        {
            // It ended between the read and the update.
            task = await db.FindTaskAsync(pid, ct);
            return task is null ? Change.NotFound : new(ChangeOutcome.Conflict, task);
        }
        if (task.Status == next.Status) return new(ChangeOutcome.Unchanged, next);
        return await db.StatusPointAsync(next, now, ct);
    }

    /// <summary>A status change the statement just made, with its history point, right after it.</summary>
    internal static async Task<Change> StatusPointAsync(this BgtaskDbContext db, BackgroundTask task, DateTime at,
        CancellationToken ct)
    {
        await db.AddStatusPointAsync(task, at, ct);
        return new(ChangeOutcome.Changed, task);
    }
}
