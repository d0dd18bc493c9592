using Bgtask.Api.Cluster;
using Bgtask.Api.Auth;
using Bgtask.Api.Runners;
using Bgtask.Api.Telemetry;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Worker.Sdk;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launches;

/// <summary>
/// Starts launches while this service runs fewer than <see cref="TasksOptions.MaxRunning"/> runners; the
/// rest stay pending in the database and start in order as slots free. A launch that finds a free slot is
/// stored already claimed for this service (one commit, see <see cref="LaunchService"/>); a queued one is
/// claimed later with a guarded update, so with several replicas it still starts exactly once.
/// </summary>
public sealed class TaskDispatcher(
    IEnumerable<ILauncher> launchers,
    RunnerRegistry registry,
    WorkerTokenCache tokens,
    IServiceScopeFactory scopes,
    IOptions<TasksOptions> options,
    IOptions<ClusterOptions> cluster,
    TimeProvider time,
    ILogger<TaskDispatcher> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _slots = new();
    private readonly Dictionary<LauncherKind, ILauncher> _launchers = launchers.ToDictionary(l => l.Kind);
    private int _reserved;

    private int Free => options.Value.MaxRunning - registry.Count - Volatile.Read(ref _reserved);

    /// <summary>
    /// Takes up to <paramref name="count"/> free slots for launches about to be stored claimed. Each is given
    /// back by <see cref="StartClaimedAsync"/>, or by <see cref="Release"/> when the launch was not stored.
    /// </summary>
    public int Reserve(int count)
    {
        lock (_slots)
        {
            var taken = Math.Clamp(Free, 0, count);
            _reserved += taken;
            return taken;
        }
    }

    public void Release(int count)
    {
        lock (_slots) _reserved -= count;
    }

    /// <summary>Marks a launch, before it is stored, as claimed for a runner of this service.</summary>
    public void ClaimAtLaunch(BackgroundTask task, string token, DateTime now)
    {
        task.RunnerHost = OsProcesses.Host;
        task.RunnerNode = cluster.Value.NodeName;
        task.TokenHash = WorkerTokens.Hash(token);
        task.HeartbeatAt = now;
        if (task.Launcher != LauncherKind.InProcess) return;
        // The run starts inside this process at once: stored running, with its runner (this process) recorded.
        task.Status = BackgroundTaskStatus.Running;
        task.StartedAt = now;
        task.RunnerOsPid = Environment.ProcessId;
        task.RunnerStartedAt = OsProcesses.CurrentStartTime;
    }

    /// <summary>Starts the runner of a launch stored claimed in a reserved slot.</summary>
    public async Task StartClaimedAsync(BackgroundTask task, string token, TaskStart start)
    {
        try
        {
            await StartAsync(task, token, task.TokenHash!, start); // hashed by ClaimAtLaunch
        }
        finally
        {
            Release(1);
        }
    }

    /// <summary>Starts queued launches, oldest first, while slots are free.</summary>
    public async Task StartQueuedAsync(CancellationToken ct)
    {
        if (Free <= 0) return;
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            while (Free > 0)
            {
                var queued = await db.QueuedLaunchesAsync(Math.Min(100, Free), ct);
                if (queued.Count == 0) return;
                foreach (var task in queued)
                {
                    if (Reserve(1) == 0) return;
                    try
                    {
                        await ClaimAndStartAsync(db, task, ct);
                    }
                    finally
                    {
                        Release(1);
                    }
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ClaimAndStartAsync(BgtaskDbContext db, BackgroundTask task, CancellationToken ct)
    {
        var token = WorkerTokens.Mint();
        var hash = WorkerTokens.Hash(token);
        if (!await db.ClaimLaunchAsync(task.Id, OsProcesses.Host, cluster.Value.NodeName, hash, time.GetUtcNow().UtcDateTime, ct))
            return; // stopped or killed while queued, or another replica took it
        await StartAsync(task, token, hash, start: null);
    }

    private async Task StartAsync(BackgroundTask task, string token, string tokenHash, TaskStart? start)
    {
        tokens.Remember(tokenHash, task.Id);
        logger.LogInformation("Task {Pid} ({Task}) starting with the {Launcher} launcher", task.Id, task.Task, task.Launcher);
        using var span = BgtaskMetrics.Source.StartActivity("launch");
        span?.SetTag("bgtask.pid", task.Id);
        span?.SetTag("bgtask.task", task.Task);
        span?.SetTag("bgtask.launcher", task.Launcher.ToString().ToLowerInvariant());
        await _launchers[task.Launcher].StartAsync(task, token, start, CancellationToken.None);
    }
}
