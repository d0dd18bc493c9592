using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

/// <summary>Creating, listing and removing task rows with everything that belongs to them.</summary>
public static class TaskRecords
{
    /// <summary>Inserts the task and its config version 1 in one transaction.</summary>
    /// <param name="clearLeftovers">Whether a new pid can have belonged to an earlier task (see <see cref="CreateTasksAsync"/>).</param>
    public static Task<TaskCreation> CreateTaskAsync(this BgtaskDbContext db, BackgroundTask task,
        string configJson, bool clearLeftovers, CancellationToken ct) =>
        db.CreateTasksAsync([(task, configJson)], clearLeftovers, ct);

    /// <summary>
    /// Inserts tasks (one, or a batch launch), their configs version 1 and first history points in one transaction
    /// (plain prepared statements, see <see cref="PreparedInsert"/>),
    /// unless a live task holds the <see cref="BackgroundTask.Exclusive"/> key one asks for: then nothing is stored
    /// and the holder is returned.
    /// </summary>
    /// <param name="clearLeftovers">
    /// True where pids can repeat: with the MEMORY engine a MySQL restart empties the tasks table and pids start
    /// again from 1, so configs, log lines and history points (always InnoDB) of a pid's previous owner must not leak into the new
    /// task. SQLite (AUTOINCREMENT) and InnoDB never hand out a pid twice, and a removed task takes its rows along.
    /// </param>
    public static async Task<TaskCreation> CreateTasksAsync(this BgtaskDbContext db,
        IReadOnlyList<(BackgroundTask Task, string Config)> launches, bool clearLeftovers, CancellationToken ct)
    {
        foreach (var (task, _) in launches) task.ExclusiveHeld = task.Status.IsLive() ? task.Exclusive : null;
        var keys = launches.Select(l => l.Task.ExclusiveHeld).OfType<string>().ToList();
        // MEMORY tables keep the rows of a batch stored before the one refused (no rollback there): one at a time.
        if (keys.Count > 0 && launches.Count > 1)
            throw new ArgumentException("Exclusive tasks are created one at a time, not in a batch.", nameof(launches));

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new(await InsertAsync(db, launches, clearLeftovers, ct), null);
            }
            catch (Exception e) when (keys.Count > 0 && DbErrors.IsUniqueViolation(e))
            {
                // Rolled back, config included. The holder is read after the failure (never checked before the
                // insert: two launches at once would both pass the check).
                if (await HolderAsync(db, keys, ct) is { } held) return new([], held);
                if (attempt >= 10) throw; // the holder keeps ending just before each read: not expected in practice
            }
        }
    }

    /// <summary>The live task holding one of these keys, if any (read after an insert lost to it).</summary>
    private static Task<ExclusiveHeld?> HolderAsync(BgtaskDbContext db, IReadOnlyCollection<string> keys,
        CancellationToken ct) =>
        db.Tasks.AsNoTracking()
            .Where(t => t.ExclusiveHeld != null && keys.Contains(t.ExclusiveHeld))
            .Select(t => new ExclusiveHeld(t.ExclusiveHeld!, t.Id))
            .FirstOrDefaultAsync(ct);

    /// <remarks>
    /// A retry after a transient error starts from scratch: the failed attempt's rows (and the pids they got) were
    /// rolled back with it. Lost during COMMIT, the first task's pid tells: InnoDB never hands a pid out twice (Galera
    /// interleaves them, still unique), so a row with it is this launch's. (MEMORY, where pids can repeat, runs no
    /// retries.)
    /// </remarks>
    private static Task<List<BackgroundTask>> InsertAsync(BgtaskDbContext db,
        IReadOnlyList<(BackgroundTask Task, string Config)> launches, bool clearLeftovers, CancellationToken ct)
    {
        var tasks = launches.Select(l => l.Task).ToList();
        return db.InTransactionAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            foreach (var task in tasks) task.Id = 0;
            // Through EF, not PreparedInsert: the launch is the transaction the retry tests break on purpose (their
            // injector is an EF command interceptor), and a prepared insert showed no measured gain on this machine.
            db.Tasks.AddRange(tasks);
            await db.SaveChangesAsync(ct);
            if (clearLeftovers)
            {
                var pids = tasks.Select(t => t.Id).ToList();
                // Looked for first with plain reads: an InnoDB DELETE that matches nothing still locks the gap past the
                // last pid, and two launches at once that both did so deadlocked on their inserts into it.
                if (await db.Configs.AnyAsync(c => pids.Contains(c.Pid), ct))
                    await db.Configs.Where(c => pids.Contains(c.Pid)).ExecuteDeleteAsync(ct);
                if (await db.LogLines.AnyAsync(l => pids.Contains(l.Pid), ct))
                    await db.LogLines.Where(l => pids.Contains(l.Pid)).ExecuteDeleteAsync(ct);
                if (await db.HistoryPoints.AnyAsync(p => pids.Contains(p.Pid), ct))
                    await db.HistoryPoints.Where(p => pids.Contains(p.Pid)).ExecuteDeleteAsync(ct);
            }
            db.Configs.AddRange(launches.Select(l => new TaskConfig { Pid = l.Task.Id, Version = 1, Json = l.Config, CreatedAt = l.Task.CreatedAt }));
            // The history starts with the task: its first point (its status at creation) goes in with the configs.
            db.HistoryPoints.AddRange(tasks.Select(t => TaskHistoryPoint.Of(t, t.CreatedAt, statusChange: true)));
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            return tasks;
        }, ct => db.TaskExistsAsync(tasks[0].Id, ct), ct);
    }

    public static Task<bool> TaskExistsAsync(this BgtaskDbContext db, long pid, CancellationToken ct) =>
        db.Tasks.AnyAsync(t => t.Id == pid, ct);

    /// <summary>Newest first; one row more than asked tells whether there is a next page.</summary>
    public static Task<List<BackgroundTask>> ListTasksAsync(this BgtaskDbContext db, TaskFilter filter, CancellationToken ct)
    {
        var query = db.Tasks.AsNoTracking();
        if (filter.Statuses is { Count: > 0 } statuses) query = query.Where(t => statuses.Contains(t.Status));
        // Exact on every storage: MySQL's binary collation still ignores trailing spaces, the length does not.
        if (filter.Task is { } name) query = query.Where(t => t.Task == name && t.Task.Length == name.Length);
        if (filter.Parent is { } parent) query = query.Where(t => t.ParentId == parent);
        if (filter.After is { } after) query = query.Where(t => t.Id < after);
        return query.OrderByDescending(t => t.Id).Take(filter.Limit + 1).ToListAsync(ct);
    }

    /// <summary>Deletes a terminal task with its signals, configs, log and history (lost at COMMIT: stored if the task is gone).</summary>
    public static Task<ChangeOutcome> RemoveTaskAsync(this BgtaskDbContext db, long pid, CancellationToken ct) =>
        db.InTransactionAsync(async ct =>
        {
            var removed = await db.Tasks
                .WhereEnded().Where(t => t.Id == pid)
                .ExecuteDeleteAsync(ct);
            // Nothing deleted: the transaction commits nothing.
            if (removed == 0) return await db.TaskExistsAsync(pid, ct) ? ChangeOutcome.Conflict : ChangeOutcome.NotFound;
            await db.Signals.Where(s => s.Pid == pid).ExecuteDeleteAsync(ct);
            await db.Configs.Where(c => c.Pid == pid).ExecuteDeleteAsync(ct);
            await db.LogLines.Where(l => l.Pid == pid).ExecuteDeleteAsync(ct);
            await db.HistoryPoints.Where(p => p.Pid == pid).ExecuteDeleteAsync(ct);
            return ChangeOutcome.Changed;
        }, async ct => !await db.TaskExistsAsync(pid, ct), ct);
}

public sealed record TaskFilter(IReadOnlyList<BackgroundTaskStatus>? Statuses, string? Task, long? Parent, long? After, int Limit);

/// <summary>The tasks as stored, or (nothing stored) the live task holding the exclusive key asked for.</summary>
public sealed record TaskCreation(List<BackgroundTask> Tasks, ExclusiveHeld? Held);
