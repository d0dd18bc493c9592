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
        // The status to restore is read first and the update guarded on it: MySQL evaluates SET assignments left to
        // right on the updated row, so "FrozenFrom = Status, Status = sleeping" would depend on the order EF emits.
        var moved = 0;
        for (var attempt = 0; attempt < 3 && moved == 0; attempt++)
        {
            var before = await db.FindTaskAsync(pid, ct);
            if (before is not { Frozen: false, Launcher: LauncherKind.Process } ||
                before.Status is not (BackgroundTaskStatus.Running or BackgroundTaskStatus.Sleeping))
                break;
            var from = before.Status;
            moved = await db.Tasks
                .Where(t => t.Id == pid && !t.Frozen && t.Status == from)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.FrozenFrom, from)
                    .SetProperty(t => t.Status, BackgroundTaskStatus.Sleeping)
                    .SetProperty(t => t.Frozen, true)
                    .SetProperty(t => t.Memory, t => memory ?? t.Memory)
                    .SetProperty(t => t.MemoryPeak, t => memory > t.MemoryPeak ? memory.Value : t.MemoryPeak)
                    .SetProperty(t => t.HeartbeatAt, now), ct);
        }
        return await ChangeOfAsync(db, pid, moved, frozen: true, ct);
    }

    /// <summary>frozen → the status from before the freeze; the thaw counts as a heartbeat (the silence was ours).</summary>
    public static async Task<Change> ThawAsync(this BgtaskDbContext db, long pid, DateTime now, CancellationToken ct)
    {
        var moved = await db.Tasks
            .WhereLive().Where(t => t.Id == pid && t.Frozen)
            .ExecuteUpdateAsync(s => s
                // FrozenFrom is left as it is (it means nothing unless frozen): clearing it in the same statement would
                // race the restore on MySQL, which evaluates the assignments left to right.
                .SetProperty(t => t.Status, t => t.FrozenFrom ?? BackgroundTaskStatus.Running)
                .SetProperty(t => t.Frozen, false)
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
