using Bgtask.Api.Launches;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Supervision;

/// <summary>
/// At start, settles every task a previous run of the service left pending, running or sleeping on this
/// host: a worker process still alive (same OS pid and start time) is adopted and watched again; a dead
/// one is `error`, "worker lost"; an in-process run died with its service: `error`, "service restarted".
/// Launches still queued (no runner yet) are left for the dispatcher. Runners on other hosts are left to
/// their own service, or to the heartbeat timeout. The supervisor runs it before its first sweep, and
/// again until it succeeds, so a database that is down at start delays it rather than failing the service.
/// </summary>
public sealed class Reconciler(
    IServiceScopeFactory scopes,
    ProcessLauncher processes,
    RunnerCalls calls,
    ILogger<Reconciler> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var left = await db.LiveRunsOnHostAsync(OsProcesses.Host, cancellationToken);

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
}
