using Bgtask.Api.Cluster;
using Bgtask.Api.Freezing;
using Bgtask.Api.Launches;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Supervision;

/// <summary>
/// Keeps the stored truth honest while the service runs: starts queued launches as slots free, ends tasks
/// whose runner went silent ("worker lost (no heartbeat)"), enforces time limits (stop, then kill after the
/// grace period: "time limit"), deletes ended tasks past their retention, and in a cluster ends the in-process runs
/// of nodes whose lease ran out ("node lost"). Every change is a guarded statement, so nodes sweeping the same
/// database at once do no harm: each change is made once, by whichever node gets there first, and the duties go on
/// while any node lives. It sweeps every
/// <c>Tasks:SweepInterval</c> while any task is live, and rests (one query) while none is (<see cref="SweepSignal"/>).
/// </summary>
public sealed class Supervisor(
    Reconciler reconciler,
    IServiceScopeFactory scopes,
    TaskDispatcher dispatcher,
    RunnerRegistry runners,
    SweepSignal signal,
    TaskNotifier changes,
    RunnerCalls calls,
    TaskFreezer freezer,
    IOptions<TasksOptions> options,
    IOptions<ClusterOptions> cluster,
    TimeProvider time,
    ILogger<Supervisor> logger) : BackgroundService
{
    private const int RetentionBatch = 500;
    private static readonly TimeSpan RetentionEvery = TimeSpan.FromMinutes(1);
    private DateTime _nextRetention = DateTime.MinValue;
    private bool _reconciled;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var (live, armed) = (true, false);
            try
            {
                if (!_reconciled)
                {
                    await reconciler.RunAsync(stoppingToken);
                    _reconciled = true;
                }
                signal.Arm();
                armed = true;
                live = await AnyLiveAsync(stoppingToken);
                if (live)
                {
                    await dispatcher.StartQueuedAsync(stoppingToken);
                    await ExpireSilentAsync(stoppingToken);
                    await EndRunsOfLostNodesAsync(stoppingToken);
                    await EnforceTimeLimitsAsync(stoppingToken);
                }
                await PurgeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Supervisor sweep failed; retrying");
            }

            if (live && armed) signal.Disarm();
            try { await signal.WaitAsync(live ? options.Value.SweepInterval : Rest, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// How long the sweep rests while no task is live anywhere: a task that another replica launches meanwhile
    /// cannot go silent sooner (the shortest heartbeat timeout), so its loss is still noticed on time even if that
    /// replica dies; its own replica, and any that hears from it, wake at once. The next retention run, if
    /// sooner, ends the rest too.
    /// </summary>
    private TimeSpan Rest
    {
        get
        {
            var shortest = TimeSpan.FromSeconds(LaunchTaskRequestValidator.MinHeartbeatTimeoutSeconds);
            var rest = options.Value.HeartbeatTimeout < shortest ? options.Value.HeartbeatTimeout : shortest;
            var purge = _nextRetention - Now;
            if (purge < rest) rest = purge;
            return rest > options.Value.SweepInterval ? rest : options.Value.SweepInterval;
        }
    }

    private async Task<bool> AnyLiveAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BgtaskDbContext>().AnyLiveAsync(ct);
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private async Task ExpireSilentAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var shortest = TimeSpan.FromSeconds(LaunchTaskRequestValidator.MinHeartbeatTimeoutSeconds);
        foreach (var (pid, cutoff) in await db.SilentTasksAsync(Now, options.Value.HeartbeatTimeout, shortest, ct))
        {
            var change = await db.ExpireAsync(pid, cutoff, "worker lost (no heartbeat)", Now, ct);
            changes.Lost(change);
            if (change is not { Outcome: ChangeOutcome.Changed, Task: { } task }) continue;
            logger.LogWarning("Task {Pid} reported nothing since {Cutoff}: worker lost", pid, cutoff);
            await calls.AppendLogAsync(db, pid, ["error worker lost (no heartbeat)"], ct);
            await runners.KillAsync(task); // a hung worker of ours must not live on
        }
    }

    /// <summary>An in-process run cannot outlive its node: once the node's lease has run out, its runs are ended.</summary>
    private async Task EndRunsOfLostNodesAsync(CancellationToken ct)
    {
        if (!cluster.Value.Enabled) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        foreach (var pid in await db.RunsOfLostNodesAsync(Now - cluster.Value.Lease, ct))
            if (await calls.LostAsync(db, pid, NodeLost))
                logger.LogWarning("Task {Pid} ran in-process on a node whose lease ran out: {Message}", pid, NodeLost);
    }

    private const string NodeLost = "node lost";

    private async Task EnforceTimeLimitsAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        foreach (var task in await db.TimedTasksAsync(ct))
        {
            var limit = task.StartedAt!.Value.AddSeconds(task.TimeoutSeconds!.Value);
            if (Now < limit) continue;
            if (task.StopReason is null)
            {
                if (!await db.SetStopReasonAsync(task.Id, TimeLimit, ct)) continue;
                await db.SendSignalAsync(task.Id, SignalNames.Stop, Now, ct);
                // Wake the task's held read before anything else can fail: the stop is stored.
                changes.SignalSent(task.Id, SignalNames.Stop);
                if (task.Frozen) await freezer.ThawForStopAsync(db, task.Id, ct); // so it can read the stop
                await calls.AppendLogAsync(db, task.Id, ["time limit: stop sent"], ct);
            }
            else if (Now >= limit + options.Value.TimeoutGrace)
            {
                var change = await calls.EndAsync(db, task.Id, BackgroundTaskStatus.Stopped, TimeLimit, ct);
                if (change is not { Outcome: ChangeOutcome.Changed, Task: { } ended }) continue;
                var killed = await runners.KillAsync(ended);
                await calls.AppendLogAsync(db, task.Id, [killed ? "time limit: killed" : "time limit"], ct);
            }
        }
    }

    private const string TimeLimit = "time limit";

    private async Task PurgeAsync(CancellationToken ct)
    {
        if (Now < _nextRetention) return;
        // At most a minute apart, and never further apart than the retention itself, or a short one is not honoured.
        var retention = options.Value.Retention;
        _nextRetention = Now + (retention < RetentionEvery ? retention : RetentionEvery);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var cutoff = Now - options.Value.Retention;
        int removed, total = 0;
        do
        {
            removed = await db.PurgeEndedAsync(cutoff, RetentionBatch, ct);
            total += removed;
        } while (removed == RetentionBatch && !ct.IsCancellationRequested);
        if (total > 0) logger.LogInformation("Retention removed {Count} ended tasks finished before {Cutoff}", total, cutoff);
    }
}
