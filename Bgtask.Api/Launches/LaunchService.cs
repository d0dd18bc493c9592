using System.Text.Json;
using Bgtask.Api.Auth;
using Bgtask.Api.Notifications;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Worker.Sdk;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launches;

/// <summary>
/// Launching, for the endpoint and for code hosted in the service itself (the in-process API). A launch is
/// stored durably, in one commit (shared with concurrent launches, see <see cref="LaunchCommitter"/>), before this returns: claimed for a runner of this service when a slot is free
/// (an in-process one stored running, its runner recorded), else pending, to start when a slot frees. The
/// runner then starts with the task and its config in hand, without another database round trip. The request
/// is trusted here: the endpoint validates it first.
/// </summary>
public sealed class LaunchService(
    IServiceScopeFactory scopes,
    TaskDispatcher dispatcher,
    LaunchCommitter committer,
    TaskNotifier changes,
    IOptions<TasksOptions> options,
    TimeProvider time)
{
    /// <returns>The task as stored, or (nothing stored) the live task holding its exclusive key.</returns>
    public async Task<TaskCreation> LaunchAsync(LaunchTaskRequest request, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await LaunchAsync(scope.ServiceProvider.GetRequiredService<BgtaskDbContext>(), request, ct);
    }

    public Task<TaskCreation> LaunchAsync(BgtaskDbContext db, LaunchTaskRequest request, CancellationToken ct) =>
        LaunchManyAsync(db, [request], ct);

    /// <summary>Many launches (none exclusive) stored in one transaction, then started in order.</summary>
    public async Task<IReadOnlyList<BackgroundTask>> LaunchManyAsync(IReadOnlyList<LaunchTaskRequest> requests, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return (await LaunchManyAsync(scope.ServiceProvider.GetRequiredService<BgtaskDbContext>(), requests, ct)).Tasks;
    }

    private async Task<TaskCreation> LaunchManyAsync(BgtaskDbContext db,
        IReadOnlyList<LaunchTaskRequest> requests, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var launches = requests.Select(r => Launch(r, now)).ToList();
        var claimed = dispatcher.Reserve(launches.Count);
        var tokens = new string[claimed];
        for (var i = 0; i < claimed; i++)
        {
            tokens[i] = WorkerTokens.Mint();
            dispatcher.ClaimAtLaunch(launches[i].Task, tokens[i], now);
        }

        TaskCreation created;
        try
        {
            // Stored by the group commit, with the launches of other callers that came at the same time.
            created = await db.CreateTasksAsync(launches, committer.StoreAsync, ct);
        }
        catch
        {
            dispatcher.Release(claimed);
            throw;
        }
        if (created.Held is not null)
        {
            dispatcher.Release(claimed);
            return created;
        }
        var tasks = created.Tasks;
        foreach (var task in tasks) changes.Created(task);
        // The runners must start even if the caller goes away now: the tasks are already stored.
        for (var i = 0; i < claimed; i++)
        {
            var config = new ConfigSnapshot(1, JsonSerializer.Deserialize<JsonElement>(launches[i].Config));
            await dispatcher.StartClaimedAsync(tasks[i], tokens[i], new TaskStart(tasks[i].Task, config));
        }
        return created;
    }

    private (BackgroundTask Task, string Config) Launch(LaunchTaskRequest request, DateTime now)
    {
        // A command is a program of its own: always a process (the validator refused an explicit inprocess).
        var kind = (request.Launcher ?? options.Value.DefaultLauncher) == "inprocess" &&
                   !options.Value.Commands.ContainsKey(request.Task!)
            ? LauncherKind.InProcess
            : LauncherKind.Process;
        var config = request.Config is { ValueKind: JsonValueKind.Object } json ? json.GetRawText() : ConfigVersions.Empty;
        return (new BackgroundTask
        {
            Task = request.Task!,
            Description = request.Description,
            Launcher = kind,
            ParentId = request.Parent,
            Status = BackgroundTaskStatus.Pending,
            CreatedAt = now,
            TimeoutSeconds = request.TimeoutSeconds,
            HeartbeatTimeoutSeconds = request.HeartbeatTimeoutSeconds,
            Exclusive = ExclusiveKeys.Resolve(request.Exclusive, request.Task!),
        }, config);
    }
}
