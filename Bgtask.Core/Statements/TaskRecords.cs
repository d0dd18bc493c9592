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
    /// Inserts tasks (one, or a batch launch), their configs version 1 and first history points in one transaction,
    /// unless a live task holds the <see cref="BackgroundTask.Exclusive"/> key one asks for: then nothing is stored
    /// and the holder is returned.
    /// </summary>
    /// <param name="clearLeftovers">
    /// True where pids can repeat: with the MEMORY engine a MySQL restart empties the tasks table and pids start
    /// again from 1, so configs, log lines and history points (always InnoDB) of a pid's previous owner must not leak into the new
    /// task. SQLite (AUTOINCREMENT) and InnoDB never hand out a pid twice, and a removed task takes its rows along.
    /// </param>
    public static Task<TaskCreation> CreateTasksAsync(this BgtaskDbContext db,
        IReadOnlyList<(BackgroundTask Task, string Config)> launches, bool clearLeftovers, CancellationToken ct) =>
        db.CreateTasksAsync(launches, async (launch, ct) => (await db.StoreLaunchesAsync([launch], clearLeftovers, ct))[0], ct);

    /// <summary>
    /// <see cref="CreateTasksAsync(BgtaskDbContext, IReadOnlyList{ValueTuple{BackgroundTask, string}}, bool, CancellationToken)"/>
    /// with the store done by <paramref name="store"/> (a group commit: <see cref="StoreLaunchesAsync"/> of several launches).
    /// </summary>
    /// <param name="store">Stores the launch; false when an exclusive key it asks for was held (nothing stored).</param>
    public static async Task<TaskCreation> CreateTasksAsync(this BgtaskDbContext db,
        IReadOnlyList<(BackgroundTask Task, string Config)> launches,
        Func<IReadOnlyList<(BackgroundTask Task, string Config)>, CancellationToken, Task<bool>> store, CancellationToken ct)
    {
        var keys = launches.Select(l => l.Task.Status.IsLive() ? l.Task.Exclusive : null).OfType<string>().ToList();
        // MEMORY tables keep the rows of a batch stored before the one refused (no rollback there): one at a time.
        if (keys.Count > 0 && launches.Count > 1)
            throw new ArgumentException("Exclusive tasks are created one at a time, not in a batch.", nameof(launches));
        for (var attempt = 0; ; attempt++)
        {
            if (await store(launches, ct)) return new(launches.Select(l => l.Task).ToList(), null);
            // The holder is read after the refusal (never checked before the insert: two launches at once would both pass the check).
            if (await HolderAsync(db, keys, ct) is { } held) return new([], held);
            // The holder keeps ending just before each read: not expected in practice.
            if (attempt >= 10) throw new InvalidOperationException($"The exclusive key {keys[0]} was held at each of {attempt + 1} tries, by no task after.");
        }
    }

    /// <summary>The live task holding one of these keys, if any (read after an insert lost to it).</summary>
    private static Task<ExclusiveHeld?> HolderAsync(BgtaskDbContext db, IReadOnlyCollection<string> keys,
        CancellationToken ct) =>
        db.Tasks.AsNoTracking()
            .Where(t => t.ExclusiveHeld != null && keys.Contains(t.ExclusiveHeld))
            .Select(t => new ExclusiveHeld(t.ExclusiveHeld!, t.Id))
            .FirstOrDefaultAsync(ct);

    /// <summary>
    /// Stores several launches in one transaction (a group commit), each one's tasks, configs version 1 and first
    /// history points as plain statements (<see cref="PreparedInsert"/>). A launch whose exclusive key a live task
    /// holds (an exclusive launch is one task) is refused alone: its INSERT fails on the unique key, which undoes
    /// that statement only (SQLite and InnoDB alike; MEMORY stores nothing of a failed single-row INSERT), and the
    /// others of the group are stored.
    /// </summary>
    /// <returns>For each launch, whether it was stored (its tasks have their pids); false: refused for its key.</returns>
    /// <remarks>
    /// A retry after a transient error starts from scratch: the failed attempt's rows (and the pids they got) were
    /// rolled back with it, so each launch is stored once. Lost during COMMIT, a stored task's pid tells: InnoDB never
    /// hands a pid out twice (Galera interleaves them, still unique), so a row with it is this group's. (MEMORY, where
    /// pids can repeat, runs no retries.)
    /// </remarks>
    public static Task<bool[]> StoreLaunchesAsync(this BgtaskDbContext db,
        IReadOnlyList<IReadOnlyList<(BackgroundTask Task, string Config)>> group, bool clearLeftovers, CancellationToken ct)
    {
        var all = group.SelectMany(l => l).Select(l => l.Task).ToList();
        foreach (var task in all) task.ExclusiveHeld = task.Status.IsLive() ? task.Exclusive : null;
        var insertTask = PreparedInsert.For<BackgroundTask>(db);
        return db.InTransactionAsync(async ct =>
        {
            foreach (var task in all) task.Id = 0;
            var stored = new bool[group.Count];
            var kept = new List<(BackgroundTask Task, string Config)>(all.Count);
            for (var i = 0; i < group.Count; i++)
            {
                var launch = group[i];
                if (launch is [{ Task.ExclusiveHeld: not null }])
                {
                    try
                    {
                        await insertTask.InsertAsync(db, [launch[0].Task], ct);
                    }
                    catch (Exception e) when (DbErrors.IsUniqueViolation(e))
                    {
                        launch[0].Task.Id = 0;
                        continue;
                    }
                }
                else await insertTask.InsertAsync(db, launch.Select(l => l.Task).ToList(), ct);
                stored[i] = true;
                kept.AddRange(launch);
            }
            if (kept.Count == 0) return stored;
            if (clearLeftovers)
            {
                var pids = kept.Select(l => l.Task.Id).ToList();
                // Looked for first with plain reads: an InnoDB DELETE that matches nothing still locks the gap past the
                // last pid, and two launches at once that both did so deadlocked on their inserts into it.
                if (await db.Configs.AnyAsync(c => pids.Contains(c.Pid), ct))
                    await db.Configs.Where(c => pids.Contains(c.Pid)).ExecuteDeleteAsync(ct);
                if (await db.LogLines.AnyAsync(l => pids.Contains(l.Pid), ct))
                    await db.LogLines.Where(l => pids.Contains(l.Pid)).ExecuteDeleteAsync(ct);
                if (await db.HistoryPoints.AnyAsync(p => pids.Contains(p.Pid), ct))
                    await db.HistoryPoints.Where(p => pids.Contains(p.Pid)).ExecuteDeleteAsync(ct);
            }
            await PreparedInsert.For<TaskConfig>(db).InsertAsync(db,
                kept.Select(l => new TaskConfig { Pid = l.Task.Id, Version = 1, Json = l.Config, CreatedAt = l.Task.CreatedAt }).ToList(), ct);
            // The history starts with the task: its first point (its status at creation) goes in with the configs.
            await PreparedInsert.For<TaskHistoryPoint>(db).InsertAsync(db,
                kept.Select(l => TaskHistoryPoint.Of(l.Task, l.Task.CreatedAt, statusChange: true)).ToList(), ct, setKeys: false);
            return stored;
        }, ct => all.FirstOrDefault(t => t.Id > 0) is { } first ? db.TaskExistsAsync(first.Id, ct) : Task.FromResult(false), ct);
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
