using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

/// <summary>The guarded statements behind queueing, heartbeats, time limits and retention.</summary>
public static class TaskSupervision
{
    /// <summary>Launches waiting for a runner: pending, claimed by nobody, and not a record someone outside runs.</summary>
    private static IQueryable<BackgroundTask> WhereQueued(this IQueryable<BackgroundTask> tasks) =>
        tasks.Where(t => t.Status == BackgroundTaskStatus.Pending && t.RunnerHost == null && t.Launcher != LauncherKind.External);

    /// <summary>
    /// Claims a queued launch for a runner on <paramref name="host"/> (service node <paramref name="node"/>): only
    /// one caller (of any replica) wins. The claim stamps the heartbeat, so a runner that never reports is found out
    /// like any other.
    /// </summary>
    public static async Task<bool> ClaimLaunchAsync(this BgtaskDbContext db, long pid, string host, string node,
        string tokenHash, DateTime now, CancellationToken ct) =>
        await db.Tasks
            .WhereQueued().Where(t => t.Id == pid)
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.RunnerHost, host)
                .SetProperty(t => t.RunnerNode, node)
                .SetProperty(t => t.TokenHash, tokenHash)
                .SetProperty(t => t.HeartbeatAt, now), ct) == 1;

    /// <summary>Whether any task is live (pending, running or sleeping), of any replica.</summary>
    public static Task<bool> AnyLiveAsync(this BgtaskDbContext db, CancellationToken ct) =>
        db.Tasks.WhereLive().AnyAsync(ct);

    /// <summary>The oldest launches still waiting for a runner.</summary>
    public static Task<List<BackgroundTask>> QueuedLaunchesAsync(this BgtaskDbContext db, int take, CancellationToken ct) =>
        db.Tasks.AsNoTracking()
            .WhereQueued()
            .OrderBy(t => t.Id)
            .Take(take)
            .ToListAsync(ct);

    /// <summary>Ends a launch that never got a runner (stop or kill while queued): it never starts.</summary>
    public static async Task<Change> EndQueuedAsync(this BgtaskDbContext db, long pid, BackgroundTaskStatus status,
        string message, DateTime now, CancellationToken ct)
    {
        var moved = await db.Tasks
            .WhereQueued().Where(t => t.Id == pid)
            .ExecuteUpdateAsync(TaskTransitions.Ending(status, message, now), ct);
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return Change.NotFound;
        return moved == 1 ? await db.StatusPointAsync(task, now, ct) : new(ChangeOutcome.Unchanged, task);
    }

    /// <summary>
    /// Live tasks silent for longer than their heartbeat timeout (their launch's own, else
    /// <paramref name="timeout"/>), with the cutoff that applies to each; unstarted records and frozen tasks (which
    /// cannot report: the service stopped them) are excluded.
    /// </summary>
    public static async Task<List<(long Pid, DateTime Cutoff)>> SilentTasksAsync(this BgtaskDbContext db, DateTime now,
        TimeSpan timeout, TimeSpan shortestOwnTimeout, CancellationToken ct)
    {
        var cutoff = now - timeout;
        var silent = await db.Tasks.AsNoTracking()
            .WhereLive().Where(t => !t.Frozen && t.HeartbeatTimeoutSeconds == null &&
                        t.HeartbeatAt != null && t.HeartbeatAt < cutoff)
            .Select(t => t.Id)
            .ToListAsync(ct);
        // Launches with a timeout of their own are few: the candidates are read, then judged one by one.
        var earliest = now - shortestOwnTimeout;
        var own = await db.Tasks.AsNoTracking()
            .WhereLive().Where(t => !t.Frozen && t.HeartbeatTimeoutSeconds != null &&
                        t.HeartbeatAt != null && t.HeartbeatAt < earliest)
            .Select(t => new { t.Id, t.HeartbeatAt, t.HeartbeatTimeoutSeconds })
            .ToListAsync(ct);
        return silent.Select(pid => (pid, cutoff))
            .Concat(own.Select(t => (t.Id, Cutoff: now.AddSeconds(-t.HeartbeatTimeoutSeconds!.Value), t.HeartbeatAt))
                .Where(t => t.HeartbeatAt < t.Cutoff)
                .Select(t => (t.Id, t.Cutoff)))
            .ToList();
    }

    /// <summary>Ends a silent task, unless it reported since the cutoff (then it is not silent after all).</summary>
    public static async Task<Change> ExpireAsync(this BgtaskDbContext db, long pid, DateTime cutoff, string message,
        DateTime now, CancellationToken ct)
    {
        var moved = await db.Tasks
            .WhereLive().Where(t => t.Id == pid && !t.Frozen && t.HeartbeatAt < cutoff)
            .ExecuteUpdateAsync(TaskTransitions.Ending(BackgroundTaskStatus.Error, message, now), ct);
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return Change.NotFound;
        return moved == 1 ? await db.StatusPointAsync(task, now, ct) : new(ChangeOutcome.Unchanged, task);
    }

    /// <summary>Live, started tasks that have a time limit.</summary>
    public static Task<List<BackgroundTask>> TimedTasksAsync(this BgtaskDbContext db, CancellationToken ct) =>
        db.Tasks.AsNoTracking()
            .WhereLive().Where(t => t.TimeoutSeconds != null && t.StartedAt != null)
            .ToListAsync(ct);

    /// <summary>Records why the service is stopping a live task; false if a reason was set already.</summary>
    public static async Task<bool> SetStopReasonAsync(this BgtaskDbContext db, long pid, string reason, CancellationToken ct) =>
        await db.Tasks
            .WhereLive().Where(t => t.Id == pid && t.StopReason == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.StopReason, reason), ct) == 1;

    /// <summary>Deletes up to <paramref name="batch"/> ended tasks finished before the cutoff, with all that is theirs.</summary>
    public static async Task<int> PurgeEndedAsync(this BgtaskDbContext db, DateTime cutoff, int batch, CancellationToken ct)
    {
        var pids = await db.Tasks.AsNoTracking()
            .WhereEnded().Where(t => t.FinishedAt < cutoff)
            .OrderBy(t => t.Id)
            .Select(t => t.Id)
            .Take(batch)
            .ToListAsync(ct);
        if (pids.Count == 0) return 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Only ended tasks are deleted: the status guard holds even if one was somehow revived meanwhile.
        var removed = await db.Tasks.WhereEnded().Where(t => pids.Contains(t.Id))
            .ExecuteDeleteAsync(ct);
        await db.Signals.Where(s => pids.Contains(s.Pid)).ExecuteDeleteAsync(ct);
        await db.Configs.Where(c => pids.Contains(c.Pid)).ExecuteDeleteAsync(ct);
        await db.LogLines.Where(l => pids.Contains(l.Pid)).ExecuteDeleteAsync(ct);
        await db.HistoryPoints.Where(p => pids.Contains(p.Pid)).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
        return removed;
    }

    /// <summary>Records where a task's runner lives: its host, OS pid and that process's start time.</summary>
    public static Task RecordRunnerAsync(this BgtaskDbContext db, long pid, string host, int osPid, DateTime? startedAt,
        CancellationToken ct) =>
        db.Tasks.Where(t => t.Id == pid).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.RunnerHost, host)
            .SetProperty(t => t.RunnerOsPid, osPid)
            .SetProperty(t => t.RunnerStartedAt, startedAt), ct);

    /// <summary>
    /// Live tasks whose runner was recorded on <paramref name="host"/> (what a restarted service left there); with a
    /// <paramref name="node"/>, only that node's (in a cluster, other nodes on the same host keep theirs).
    /// </summary>
    public static Task<List<BackgroundTask>> LiveRunsOnHostAsync(this BgtaskDbContext db, string host, string? node,
        CancellationToken ct) =>
        db.Tasks.AsNoTracking().WhereLive()
            .Where(t => t.Launcher != LauncherKind.External && t.RunnerHost == host && (node == null || t.RunnerNode == node))
            .ToListAsync(ct);

    /// <summary>
    /// Worker processes of <paramref name="node"/> on <paramref name="host"/> whose task ended after
    /// <paramref name="since"/>: ended (killed, timed out) by another node while this one was away, so their process
    /// may still run.
    /// </summary>
    public static Task<List<BackgroundTask>> EndedRunsOnHostAsync(this BgtaskDbContext db, string host, string node,
        DateTime since, int take, CancellationToken ct) =>
        db.Tasks.AsNoTracking().WhereEnded()
            .Where(t => t.Launcher == LauncherKind.Process && t.RunnerHost == host && t.RunnerNode == node &&
                        t.RunnerOsPid != null && t.FinishedAt >= since)
            .OrderByDescending(t => t.Id).Take(take)
            .ToListAsync(ct);
}
