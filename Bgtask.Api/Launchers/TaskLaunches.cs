using System.Text.Json;
using Bgtask.Api.Tasks;
using Bgtask.Core.Contracts;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launchers;

/// <summary>
/// Launching, for the endpoint and for code hosted in the service itself (the in-process API): the task is
/// stored as pending (durably, before this returns) and its runner starts when a slot is free. The request is
/// trusted here: the endpoint validates it first.
/// </summary>
public sealed class TaskLaunches(
    IServiceScopeFactory scopes,
    TaskDispatcher dispatcher,
    TaskChanges changes,
    IOptions<TasksOptions> options,
    TimeProvider time)
{
    public async Task<BackgroundTask> LaunchAsync(LaunchTaskRequest request, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await LaunchAsync(scope.ServiceProvider.GetRequiredService<BgtaskDbContext>(), request, ct);
    }

    public async Task<BackgroundTask> LaunchAsync(BgtaskDbContext db, LaunchTaskRequest request, CancellationToken ct)
    {
        var (task, config) = Pending(request);
        task = await db.CreateTaskAsync(task, config, ct);
        changes.Created(task);
        // The runner must start even if the caller goes away now: the task is already stored. With no free
        // slot it stays pending, and the supervisor starts it when one frees.
        await dispatcher.TryStartAsync(db, task, CancellationToken.None);
        return task;
    }

    /// <summary>Many launches stored in one transaction, then started in order.</summary>
    public async Task<IReadOnlyList<BackgroundTask>> LaunchManyAsync(IReadOnlyList<LaunchTaskRequest> requests, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var tasks = await db.CreateTasksAsync(requests.Select(Pending).ToList(), ct);
        foreach (var task in tasks) changes.Created(task);
        foreach (var task in tasks) await dispatcher.TryStartAsync(db, task, CancellationToken.None);
        return tasks;
    }

    private (BackgroundTask Task, string Config) Pending(LaunchTaskRequest request)
    {
        var kind = (request.Launcher ?? options.Value.DefaultLauncher) == "inprocess" ? TaskLauncher.InProcess : TaskLauncher.Process;
        var config = request.Config is { ValueKind: JsonValueKind.Object } json ? json.GetRawText() : ConfigVersions.Empty;
        return (new BackgroundTask
        {
            Task = request.Task!,
            Description = request.Description,
            Launcher = kind,
            ParentId = request.Parent,
            Status = BackgroundTaskStatus.Pending,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            TimeoutSeconds = request.TimeoutSeconds,
            HeartbeatTimeoutSeconds = request.HeartbeatTimeoutSeconds,
        }, config);
    }
}
