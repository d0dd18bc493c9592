using System.Text.Json;
using Bgtask.Api.RateLimiting;
using Bgtask.Api.Tasks;
using Bgtask.Api.Validation;
using Bgtask.Core.Contracts;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Problem = Bgtask.Api.Problems.Problems;

namespace Bgtask.Api.Launchers;

/// <summary><c>POST /api/tasks</c>: store the task as pending, start its runner, answer 202 at once.</summary>
public static class LaunchEndpoints
{
    public static IEndpointRouteBuilder MapLaunchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/tasks", Launch).WithTags("Tasks").WithName("Launch").Validate<LaunchTaskRequest>()
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(429)
            .RequireRateLimiting(RateLimitingSetup.LaunchPolicy);
        return app;
    }

    private static async Task<Results<Accepted<TaskResponse>, ValidationProblem>> Launch(LaunchTaskRequest request,
        BgtaskDbContext db, TaskDispatcher dispatcher, IOptions<TasksOptions> options,
        TaskPresenter presenter, TaskChanges changes, TimeProvider time, CancellationToken ct)
    {
        if (request.Parent is { } parent && !await db.TaskExistsAsync(parent, ct))
            return Problem.Invalid("parent", $"There is no task with pid {parent}.");

        var kind = (request.Launcher ?? options.Value.DefaultLauncher) == "inprocess" ? TaskLauncher.InProcess : TaskLauncher.Process;
        var config = request.Config is { ValueKind: JsonValueKind.Object } json ? json.GetRawText() : ConfigVersions.Empty;
        var task = await db.CreateTaskAsync(new BackgroundTask
        {
            Task = request.Task!,
            Description = request.Description,
            Launcher = kind,
            ParentId = request.Parent,
            Status = BackgroundTaskStatus.Pending,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            TimeoutSeconds = request.TimeoutSeconds,
        }, config, ct);
        changes.Created(task);

        // The runner must start even if this client goes away now: the task is already stored. With no
        // free slot it stays pending, and the supervisor starts it when one frees.
        await dispatcher.TryStartAsync(db, task, CancellationToken.None);
        return TypedResults.Accepted($"/api/tasks/{task.Id}", presenter.ToResponse(task));
    }
}
