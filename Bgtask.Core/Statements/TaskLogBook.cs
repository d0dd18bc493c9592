using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

/// <summary>A task's log. Lines are numbered from 1 per task; the (pid, seq) key settles concurrent writers.</summary>
public static class TaskLogBook
{
    /// <returns>False when the task does not exist.</returns>
    public static async Task<bool> AppendLogAsync(this BgtaskDbContext db, long pid, IReadOnlyList<string> lines,
        DateTime now, CancellationToken ct) =>
        await db.AppendLogLinesAsync(pid, lines, now, ct) is not null;

    /// <returns>The lines as stored (with their numbers), or null when the task does not exist.</returns>
    public static async Task<List<TaskLogLine>?> AppendLogLinesAsync(this BgtaskDbContext db, long pid,
        IReadOnlyList<string> lines, DateTime now, CancellationToken ct)
    {
        if (!await db.Tasks.AnyAsync(t => t.Id == pid, ct)) return null;
        if (lines.Count == 0) return [];
        for (var attempt = 0; ; attempt++)
        {
            var last = await db.LogLines.Where(l => l.Pid == pid).MaxAsync(l => (long?)l.Seq, ct) ?? 0;
            var rows = lines.Select((line, i) => new TaskLogLine { Pid = pid, Seq = last + 1 + i, At = now, Line = line }).ToList();
            try
            {
                await PreparedInsert.For<TaskLogLine>(db).InsertAsync(db, rows, ct);
                return rows;
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e) && attempt < 200)
            {
                // Another writer took those numbers: count again, after a short random pause once it gets crowded.
                if (attempt >= 3) await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempt, 20)), ct);
            }
        }
    }

    public static Task<List<TaskLogLine>> ReadLogAsync(this BgtaskDbContext db, long pid, long after, int take,
        CancellationToken ct) =>
        db.LogLines.AsNoTracking()
            .Where(l => l.Pid == pid && l.Seq > after)
            .OrderBy(l => l.Seq)
            .Take(take)
            .ToListAsync(ct);
}
