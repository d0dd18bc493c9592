using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

/// <summary>A task's history points: appended at status changes and by the report buffer's flush, thinned, read.</summary>
public static class TaskHistory
{
    /// <summary>The point of a status change the caller's statement just made (the task as that statement left it).</summary>
    public static Task AddStatusPointAsync(this BgtaskDbContext db, BackgroundTask task, DateTime at,
        CancellationToken ct) =>
        PreparedInsert.For<TaskHistoryPoint>(db).InsertAsync(db, [TaskHistoryPoint.Of(task, at, statusChange: true)], ct);

    /// <summary>How many points the task has and when its newest is: what a writer needs to space and cap them.</summary>
    public static async Task<(int Count, DateTime? LastAt)> HistoryStatsAsync(this BgtaskDbContext db, long pid,
        CancellationToken ct)
    {
        var stats = await db.HistoryPoints.AsNoTracking().Where(p => p.Pid == pid)
            .GroupBy(p => p.Pid)
            .Select(g => new { Count = g.Count(), LastAt = g.Max(p => p.At) })
            .FirstOrDefaultAsync(ct);
        return stats is null ? (0, null) : (stats.Count, stats.LastAt);
    }

    /// <summary>Halves the task's series (see <see cref="HistorySeries.Thinned"/>); returns the points left.</summary>
    public static async Task<int> ThinHistoryAsync(this BgtaskDbContext db, long pid, int maxPoints, CancellationToken ct)
    {
        var series = await db.HistoryPoints.AsNoTracking().Where(p => p.Pid == pid)
            .OrderBy(p => p.At).ThenBy(p => p.Id)
            .Select(p => new { p.Id, p.StatusChange })
            .ToListAsync(ct);
        var deleted = HistorySeries.Thinned(series.Select(p => (p.Id, p.StatusChange)).ToList(), maxPoints);
        if (deleted.Count > 0) await db.HistoryPoints.Where(p => deleted.Contains(p.Id)).ExecuteDeleteAsync(ct);
        return series.Count - deleted.Count;
    }

    /// <summary>Whether the task has a point at <paramref name="at"/> (within a millisecond: far closer than two points).</summary>
    public static Task<bool> HasHistoryPointAsync(this BgtaskDbContext db, long pid, DateTime at, CancellationToken ct) =>
        db.HistoryPoints.AnyAsync(p => p.Pid == pid && p.At >= at.AddMilliseconds(-1) && p.At <= at.AddMilliseconds(1), ct);

    /// <summary>The task's newest <paramref name="take"/> points, oldest first.</summary>
    public static async Task<List<TaskHistoryPoint>> ReadHistoryAsync(this BgtaskDbContext db, long pid, int take,
        CancellationToken ct)
    {
        var newest = await db.HistoryPoints.AsNoTracking().Where(p => p.Pid == pid)
            .OrderByDescending(p => p.At).ThenByDescending(p => p.Id)
            .Take(take)
            .ToListAsync(ct);
        newest.Reverse();
        return newest;
    }
}
