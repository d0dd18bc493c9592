using Bgtask.Api.Problems;
using Bgtask.Api.RateLimiting;
using Bgtask.Api.Reports;
using Bgtask.Api.Validation;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bgtask.Api.Launches;

/// <summary><c>POST /api/tasks</c>: store the task as pending, start its runner, answer 202 at once.</summary>
public static class LaunchEndpoints
{
    public static IEndpointRouteBuilder MapLaunchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/tasks", Launch).WithTags("Tasks").WithName("Launch").Validate<LaunchTaskRequest>()
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(409).ProducesProblem(429).ProducesProblem(503)
            .WithSummary("Launch a task").WithDescription(LaunchDocs.Launch)
            .RequireRateLimiting(RateLimitingSetup.LaunchPolicy);
        return app;
    }

    private static async Task<Results<Accepted<TaskResponse>, ValidationProblem, ProblemHttpResult>> Launch(
        LaunchTaskRequest request, BgtaskDbContext db, LaunchService launches, TaskPresenter presenter, CancellationToken ct)
    {
        if (request.Parent is { } parent && !await db.TaskExistsAsync(parent, ct))
            return Problem.Invalid("parent", $"There is no task with pid {parent}.");

        var launched = await launches.LaunchAsync(db, request, ct);
        if (launched.Held is { } held) return Problem.ExclusiveHeld(held);
        var task = launched.Tasks[0];
        return TypedResults.Accepted($"/api/tasks/{task.Id}", presenter.ToResponse(task));
    }
}
