using Bgtask.Api.Telemetry;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launchers;

/// <summary>
/// Starts launches while this service runs fewer than <see cref="TasksOptions.MaxRunning"/> runners; the
/// rest stay pending in the database and start in order as slots free. Each start is claimed with a
/// guarded update, so with several replicas a queued launch still starts exactly once.
/// </summary>
public sealed class TaskDispatcher(
    IEnumerable<ITaskLauncher> launchers,
    RunnerRegistry registry,
    IServiceScopeFactory scopes,
    IOptions<TasksOptions> options,
    TimeProvider time,
    ILogger<TaskDispatcher> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<TaskLauncher, ITaskLauncher> _launchers = launchers.ToDictionary(l => l.Kind);

    private bool HasSlot => registry.Count < options.Value.MaxRunning;

    /// <summary>Starts the task now if a slot is free; otherwise it waits in the queue.</summary>
    public async Task<bool> TryStartAsync(BgtaskDbContext db, BackgroundTask task, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return HasSlot && await ClaimAndStartAsync(db, task, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts queued launches, oldest first, while slots are free.</summary>
    public async Task StartQueuedAsync(CancellationToken ct)
    {
        if (!HasSlot) return;
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            while (HasSlot)
            {
                var queued = await db.QueuedLaunchesAsync(Math.Min(100, options.Value.MaxRunning - registry.Count), ct);
                if (queued.Count == 0) return;
                foreach (var task in queued)
                {
                    if (!HasSlot) return;
                    await ClaimAndStartAsync(db, task, ct);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> ClaimAndStartAsync(BgtaskDbContext db, BackgroundTask task, CancellationToken ct)
    {
        var token = WorkerTokens.Mint();
        if (!await db.ClaimLaunchAsync(task.Id, OsProcesses.Host, WorkerTokens.Hash(token), time.GetUtcNow().UtcDateTime, ct))
            return false; // stopped or killed while queued, or another replica took it
        logger.LogInformation("Task {Pid} ({Task}) starting with the {Launcher} launcher", task.Id, task.Task, task.Launcher);
        using var span = BgtaskMetrics.Source.StartActivity("launch");
        span?.SetTag("bgtask.pid", task.Id);
        span?.SetTag("bgtask.task", task.Task);
        span?.SetTag("bgtask.launcher", task.Launcher.ToString().ToLowerInvariant());
        await _launchers[task.Launcher].StartAsync(task, token, CancellationToken.None);
        return true;
    }
}
