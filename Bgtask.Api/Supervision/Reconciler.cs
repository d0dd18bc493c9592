using Bgtask.Api.Cluster;
using Bgtask.Api.Launches;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Supervision;

/// <summary>
/// At start, settles every task a previous run of the service left pending, running or sleeping on this
/// host: a worker process still alive (same OS pid and start time) is adopted and watched again; a dead
/// one is `error`, "worker lost"; an in-process run died with its service: `error`, "service restarted".
/// Launches still queued (no runner yet) are left for the dispatcher. Runners on other hosts are left to
/// their own service, or to the heartbeat timeout. In a cluster only this node's runners are its own (other nodes
/// may share the host), and a worker process whose task another node ended while this one was away (kill, time
/// limit) is ended now. The supervisor runs it before its first sweep, and again until it succeeds, so a database
/// that is down at start delays it rather than failing the service.
/// </summary>
public sealed class Reconciler(
    IServiceScopeFactory scopes,
    ProcessLauncher processes,
    RunnerCalls calls,
    RunnerRegistry runners,
    IOptions<ClusterOptions> cluster,
    TimeProvider time,
    ILogger<Reconciler> logger)
{
    /// <summary>How far back a restarted node looks for tasks ended elsewhere whose process it must end.</summary>
    private static readonly TimeSpan EndedWhileAway = TimeSpan.FromDays(1);
    private const int EndedToCheck = 10_000;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var node = cluster.Value.Enabled ? cluster.Value.NodeName : null;
        if (node is not null) await EndLeftoversAsync(db, node, cancellationToken);
        var left = await db.LiveRunsOnHostAsync(OsProcesses.Host, node, cancellationToken);

        foreach (var task in left)
        {
            var process = task.RunnerOsPid is { } osPid && osPid != Environment.ProcessId
                ? OsProcesses.Find(osPid, task.RunnerStartedAt)
                : null;
            if (task.Launcher == LauncherKind.Process && process is not null)
            {
                processes.Adopt(task.Id, process);
                continue;
            }
            if (task.Launcher == LauncherKind.InProcess && process is not null)
            {
                // Another service on this host runs it.
                process.Dispose();
                continue;
            }
            process?.Dispose();
            var message = task.Launcher == LauncherKind.InProcess ? "service restarted" : "worker lost";
            if (await calls.LostAsync(db, task.Id, message))
                logger.LogWarning("Task {Pid} was {Status} when the service stopped; its runner is gone: {Message}",
                    task.Id, task.Status, message);
        }
    }

    private async Task EndLeftoversAsync(BgtaskDbContext db, string node, CancellationToken ct)
    {
        var since = time.GetUtcNow().UtcDateTime - EndedWhileAway;
        foreach (var task in await db.EndedRunsOnHostAsync(OsProcesses.Host, node, since, EndedToCheck, ct))
            if (await runners.KillHereAsync(task))
                logger.LogWarning("Task {Pid} ended ({Message}) while this node was away; its worker process is ended now",
                    task.Id, task.Message);
    }
}
