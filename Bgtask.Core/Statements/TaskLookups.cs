using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

/// <summary>The small reads the service makes on hot or periodic paths: one column or two, never the whole row.</summary>
public static class TaskLookups
{
    /// <summary>The task a worker token belongs to (by the token's hash), with its status; null when none.</summary>
    public static async Task<(long Pid, BackgroundTaskStatus Status)?> FindByTokenHashAsync(this BgtaskDbContext db,
        string hash, CancellationToken ct) =>
        await db.Tasks.AsNoTracking().Where(t => t.TokenHash == hash)
            .Select(t => new { t.Id, t.Status }).FirstOrDefaultAsync(ct) is { } found
            ? (found.Id, found.Status)
            : null;

    /// <summary>A task's status and config version, for a signals read; null when the task does not exist.</summary>
    public static async Task<(BackgroundTaskStatus Status, int ConfigVersion)?> FindSignalStateAsync(this BgtaskDbContext db,
        long pid, CancellationToken ct) =>
        await db.Tasks.AsNoTracking().Where(t => t.Id == pid)
            .Select(t => new { t.Status, t.ConfigVersion }).FirstOrDefaultAsync(ct) is { } found
            ? (found.Status, found.ConfigVersion)
            : null;

    public static Task<int> CountPendingAsync(this BgtaskDbContext db, CancellationToken ct) =>
        db.Tasks.CountAsync(t => t.Status == BackgroundTaskStatus.Pending, ct);
}
