using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

/// <summary>
/// Freeze and thaw as stored: a running or sleeping worker-process task becomes <c>sleeping</c> with
/// <see cref="BackgroundTask.Frozen"/> set and its status before the freeze kept in
/// <see cref="BackgroundTask.FrozenFrom"/>; thaw puts that status back. Each is one guarded UPDATE, so a
/// repeated or concurrent call changes nothing.
/// </summary>
public static class TaskFreezes
{
    /// <summary>running|sleeping, not frozen → sleeping + frozen, with the tree's memory read by the service.</summary>
    public static async Task<Change> FreezeAsync(this BgtaskDbContext db, long pid, long? memory, DateTime now,
        CancellationToken ct)
    {
        var moved = await db.Tasks
            .Where(t => t.Id == pid && !t.Frozen && t.Launcher == LauncherKind.Process &&
                        (t.Status == BackgroundTaskStatus.Running || t.Status == BackgroundTaskStatus.Sleeping))
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.FrozenFrom, t => t.Status)
                .SetProperty(t => t.Status, BackgroundTaskStatus.Sleeping)
                .SetProperty(t => t.Frozen, true)
                .SetProperty(t => t.Memory, t => memory ?? t.Memory)
                .SetProperty(t => t.MemoryPeak, t => memory > t.MemoryPeak ? memory.Value : t.MemoryPeak)
                .SetProperty(t => t.HeartbeatAt, now), ct);
        return await ChangeOfAsync(db, pid, moved, frozen: true, ct);
    }

    /// <summary>frozen → the status from before the freeze; the thaw counts as a heartbeat (the silence was ours).</summary>
    public static async Task<Change> ThawAsync(this BgtaskDbContext db, long pid, DateTime now, CancellationToken ct)
    {
        var moved = await db.Tasks
            .WhereLive().Where(t => t.Id == pid && t.Frozen)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, t => t.FrozenFrom ?? BackgroundTaskStatus.Running)
                .SetProperty(t => t.Frozen, false)
                .SetProperty(t => t.FrozenFrom, (BackgroundTaskStatus?)null)
                .SetProperty(t => t.HeartbeatAt, now), ct);
        return await ChangeOfAsync(db, pid, moved, frozen: false, ct);
    }

    private static async Task<Change> ChangeOfAsync(BgtaskDbContext db, long pid, int moved, bool frozen,
        CancellationToken ct)
    {
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return Change.NotFound;
        if (moved == 1) return new(ChangeOutcome.Changed, task);
        return new(task.Frozen == frozen && task.Status.IsLive() ? ChangeOutcome.Unchanged : ChangeOutcome.Conflict, task);
    }
}
