using System.Collections.Concurrent;
using Bgtask.Api.Cluster;
using Bgtask.Api.Runners;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Reports;

/// <summary>
/// Write-behind for progress reports: a live task's frequent same-status reports are answered from memory
/// (the task as it will be stored) and only its newest one is written, with the other tasks' in one
/// transaction every 100 ms. A status change (running ↔ sleeping, pending → running) and every
/// terminal transition stay synchronous: they first store the task's pending report. The database stays the
/// truth within a flush: a task that another replica ended or removed is dropped from memory at the next
/// write that finds it gone; reads in this service see the pending report merged into the stored row. While it
/// holds no task (none reported for a minute), the flush loop rests until a report comes.
/// A flush also appends a history point for each task whose newest point is older than its spacing
/// (<see cref="HistorySeries.Spacing"/>): no statement of its own, at most one point per task per spacing.
/// In cluster mode nothing is held back: one task's reports reach different nodes (a per-request balancer), and only
/// the database sees them in the order the worker sent them, so each report is written before it is answered (its
/// ending, through any node, then stores the progress last reported, and no node's late flush can lower it).
/// </summary>
public sealed class StateReportBuffer(IServiceScopeFactory scopes, SweepSignal sweep, TimeProvider time,
    IOptions<HistoryOptions> history, IOptions<ClusterOptions> cluster,
    ILogger<StateReportBuffer> logger) : BackgroundService
{
    private readonly bool _writeThrough = cluster.Value.Enabled;
    private readonly ConcurrentDictionary<long, Series> _series = new();
    private DateTime _nextSeriesEviction;

    /// <summary>A written-through task's history as this node knows it: enough to space its report points.</summary>
    private sealed class Series(int points, DateTime? lastAt)
    {
        public int Points = points;
        public DateTime? LastAt = lastAt;
        public DateTime UsedAt;
    }

    // Long enough to coalesce: a task reporting more often than this is written once per interval (at 5 ms almost
    // every report was still written, row by row); short enough that another replica sees progress at once.
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan IdleEviction = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly SemaphoreSlim _held = new(0, int.MaxValue); // released when a task's entry is added
    private volatile bool _failing;

    private sealed class Entry(BackgroundTask task)
    {
        public BackgroundTask Task = task;
        /// <summary>A report not yet committed; it stays set while its write is in flight, so reads keep merging it.</summary>
        public bool Dirty;
        public long Version;
        public bool Dropped;
        public DateTime UsedAt;
        /// <summary>The task's history as stored (read when the entry is made, then kept by the flushes).</summary>
        public int Points;
        public DateTime? LastPointAt;
    }

    public async Task<Change> ReportAsync(BgtaskDbContext db, long pid, StateReport report, DateTime now, CancellationToken ct)
    {
        sweep.Activity(); // a report is a live task: the supervisor stops resting
        if (_writeThrough) return await WriteThroughAsync(db, pid, report, now, ct);
        if (_failing)
        {
            // The database does not take the buffered reports right now: answer as the database does (503 while
            // it is away) rather than accept reports into memory. This report supersedes the buffered one, so a
            // flush already holding that older one must be done first, or it could land after this and store
            // older progress; dropped, the entry is in no later flush. (Its UPDATE, an EF statement like the flush's,
            // already queues in SqliteWriteGate; it was this buffer's own writer lock it went around.)
            Drop(pid);
            await _writing.WaitAsync(ct);
            _writing.Release();
            return await db.ReportStateAsync(pid, report, now, ct);
        }
        if (!_entries.TryGetValue(pid, out var entry))
        {
            var found = await db.FindTaskAsync(pid, ct);
            if (found is null) return Change.NotFound;
            if (found.Status.IsTerminal()) return new(ChangeOutcome.Conflict, found);
            var (points, lastPointAt) = await db.HistoryStatsAsync(pid, ct);
            // Status changes alone (which the flush does not see) can have filled the series.
            if (points >= history.Value.MaxPoints) points = await db.ThinHistoryAsync(pid, history.Value.MaxPoints, ct);
            entry = _entries.GetOrAdd(pid, _ => new Entry(found) { UsedAt = now, Points = points, LastPointAt = lastPointAt });
            _held.Release();
        }
        lock (entry)
        {
            if (!entry.Dropped && (report.Status is null || report.Status == entry.Task.Status))
            {
                entry.Task = report.AppliedTo(entry.Task, now);
                entry.Dirty = true;
                entry.Version++;
                entry.UsedAt = now;
                return new(ChangeOutcome.Unchanged, entry.Task.MemberwiseCopy());
            }
        }
        // A status change: synchronous, after the pending report; memory learns the result on the next report.
        await StoreAsync(pid, ct);
        Drop(pid);
        return await db.ReportStateAsync(pid, report, now, ct);
    }

    /// <summary>
    /// The report stored at once (a status change with its history point, as ever), and a report point when the task's
    /// newest one is older than its spacing. Another node adds points of its own for the same task: the spacing holds
    /// per node, and the cap (thinning) for the series.
    /// </summary>
    private async Task<Change> WriteThroughAsync(BgtaskDbContext db, long pid, StateReport report, DateTime now,
        CancellationToken ct)
    {
        var change = await db.ReportStateAsync(pid, report, now, ct);
        if (change is not { Outcome: ChangeOutcome.Unchanged, Task: { } task }) return change;
        if (!_series.TryGetValue(pid, out var series))
        {
            var (points, lastAt) = await db.HistoryStatsAsync(pid, ct);
            series = _series.GetOrAdd(pid, _ => new Series(points, lastAt));
        }
        EvictIdleSeries(now);
        lock (series)
        {
            series.UsedAt = now;
            if (!PointDue(task, now, series.LastAt)) return change;
            series.LastAt = now; // taken: a concurrent report of the same task adds no second point
        }
        db.HistoryPoints.Add(TaskHistoryPoint.Of(task, now, statusChange: false));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        var max = history.Value.MaxPoints;
        if (Interlocked.Increment(ref series.Points) >= max) series.Points = await db.ThinHistoryAsync(pid, max, ct);
        return change;
    }

    /// <summary>Whether a report at <paramref name="at"/> adds a history point: none yet, or the newest older than the task's spacing.</summary>
    private bool PointDue(BackgroundTask task, DateTime at, DateTime? last) =>
        last is null || at - last >= HistorySeries.Spacing(at - (task.StartedAt ?? task.CreatedAt), history.Value.MinInterval,
            history.Value.MaxPoints);

    private void EvictIdleSeries(DateTime now)
    {
        if (now < _nextSeriesEviction) return;
        _nextSeriesEviction = now + IdleEviction;
        foreach (var (pid, series) in _series)
            if (series.UsedAt < now - IdleEviction) _series.TryRemove(new KeyValuePair<long, Series>(pid, series));
    }

    /// <summary>A stored live task with its pending report, if any (reads see the newest report): see <see cref="TaskReads"/>.</summary>
    public BackgroundTask Merged(BackgroundTask stored)
    {
        if (Pending(stored.Id) is { } pending && !stored.Status.IsTerminal()) pending.MergeInto(stored);
        return stored;
    }

    /// <summary>The task's report not yet stored, if any: for a terminal transition to store with the ending.</summary>
    public TaskProgress? Pending(long pid)
    {
        if (!_entries.TryGetValue(pid, out var entry)) return null;
        lock (entry) return entry.Dirty && !entry.Dropped ? TaskProgress.Of(entry.Task) : null;
    }

    /// <summary>Stores the task's pending report now.</summary>
    public async Task StoreAsync(long pid, CancellationToken ct)
    {
        if (!_entries.TryGetValue(pid, out var entry) || !entry.Dirty) return;
        await WriteAsync([entry], ct);
    }

    private Task StoreAllAsync(CancellationToken ct)
    {
        if (_entries.Values.Any(e => e.Dirty)) return WriteAsync(_entries.Values.ToList(), ct);
        _failing = false; // nothing left to store: try buffering again (the next failed write says otherwise)
        return Task.CompletedTask;
    }

    /// <summary>The task ended or was removed: the next report reads the database again (and gets its 409 or 404).</summary>
    public void Drop(long pid)
    {
        _series.TryRemove(pid, out _);
        if (!_entries.TryRemove(pid, out var entry)) return;
        lock (entry) entry.Dropped = true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                // An entry added after the check releases the wait; one added before keeps the loop ticking.
                if (_entries.IsEmpty && !_failing) await _held.WaitAsync(stoppingToken);
                while (_held.Wait(0)) { }
                await Task.Delay(FlushInterval, stoppingToken);
                try
                {
                    await StoreAllAsync(stoppingToken);
                    EvictIdle();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Storing buffered progress reports failed; retrying");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The last reports, at shutdown: here rather than at the loop's end, since a service stopped before its
    /// loop began never runs the loop at all.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await StoreAllAsync(CancellationToken.None);
    }

    /// <summary>One transaction for all: the newest report of each dirty task, and the history points due.</summary>
    private async Task WriteAsync(IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        try
        {
            var batch = new List<(Entry Entry, BackgroundTask Task, long Version)>();
            foreach (var entry in entries)
                lock (entry)
                {
                    if (entry.Dirty && !entry.Dropped) batch.Add((entry, entry.Task, entry.Version));
                }
            if (batch.Count == 0) return;
            var gone = new List<long>();
            var pointed = new List<(Entry Entry, DateTime At, int Points)>();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
                // Run again from the start after a transient error: what a failed try noted was rolled back with it.
                // Lost at COMMIT: a history point it added tells; with none, its UPDATEs are simply made again.
                await db.InTransactionAsync(async ct =>
                {
                    gone.Clear();
                    pointed.Clear();
                    db.ChangeTracker.Clear();
                    foreach (var (_, task, _) in batch)
                        if (!await db.StoreProgressAsync(task.Id, TaskProgress.Of(task), ct)) gone.Add(task.Id);
                    await AddHistoryPointsAsync(db, batch, gone, pointed, ct);
                    return true;
                }, ct => pointed is [var (first, at, _), ..] ? db.HasHistoryPointAsync(first.Task.Id, at, ct) : Task.FromResult(false), ct);
                _failing = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _failing = true;
                throw;
            }
            // Clean only when no newer report came during the write; a failed write leaves them dirty for the next flush.
            foreach (var (entry, _, version) in batch)
                lock (entry)
                {
                    if (entry.Version == version) entry.Dirty = false;
                }
            foreach (var (entry, at, points) in pointed)
                lock (entry) (entry.LastPointAt, entry.Points) = (at, points);
            foreach (var pid in gone) Drop(pid);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Within the flush's transaction: a point for each written task whose newest point is older than its spacing
    /// (one INSERT batch for all), and the halving of a series that reached the cap (rare: about once per doubling
    /// of the task's age).
    /// </summary>
    private async Task AddHistoryPointsAsync(BgtaskDbContext db, List<(Entry Entry, BackgroundTask Task, long Version)> batch,
        List<long> gone, List<(Entry Entry, DateTime At, int Points)> pointed, CancellationToken ct)
    {
        var max = history.Value.MaxPoints;
        var due = new List<(Entry Entry, BackgroundTask Task)>();
        var ended = gone.ToHashSet();
        foreach (var (entry, task, _) in batch)
        {
            if (ended.Contains(task.Id) || task.HeartbeatAt is not { } at) continue;
            DateTime? last;
            lock (entry) last = entry.LastPointAt;
            if (PointDue(task, at, last)) due.Add((entry, task));
        }
        if (due.Count == 0) return;
        db.HistoryPoints.AddRange(due.Select(d => TaskHistoryPoint.Of(d.Task, d.Task.HeartbeatAt!.Value, statusChange: false)));
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        foreach (var (entry, task) in due)
        {
            int points;
            lock (entry) points = entry.Points + 1;
            if (points >= max) points = await db.ThinHistoryAsync(task.Id, max, ct);
            pointed.Add((entry, task.HeartbeatAt!.Value, points));
        }
    }

    private void EvictIdle()
    {
        var before = time.GetUtcNow().UtcDateTime - IdleEviction;
        foreach (var (pid, entry) in _entries)
            // Judged and dropped under the entry's lock: a report applied meanwhile keeps it (and is not lost).
            lock (entry)
            {
                if (entry.Dirty || entry.Dropped || entry.UsedAt >= before) continue;
                entry.Dropped = true;
                _entries.TryRemove(new KeyValuePair<long, Entry>(pid, entry));
            }
    }
}
