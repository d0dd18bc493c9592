using Bgtask.Api.Freezing;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Reports;
using Bgtask.Api.Runners;
using Bgtask.Core.Contracts;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bgtask.Api.Tasks;

/// <summary>
/// <c>POST /api/tasks/{pid}/kill</c>, <c>freeze</c> and <c>thaw</c>: a client's actions on a task's runner itself,
/// beside signals and config.
/// </summary>
public static class TaskControlEndpoints
{
    public static IEndpointRouteBuilder MapTaskControlEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks/{pid:long}").WithTags("Tasks")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        group.MapPost("/kill", Kill).WithName("Kill")
            .WithSummary("Kill a task").WithDescription(TaskDocs.Kill);
        group.MapPost("/freeze", Freeze).WithName("Freeze").ProducesProblem(409)
            .WithSummary("Freeze a task's processes").WithDescription(TaskDocs.Freeze);
        group.MapPost("/thaw", Thaw).WithName("Thaw").ProducesProblem(409)
            .WithSummary("Thaw a frozen task").WithDescription(TaskDocs.Thaw);
        return app;
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> Freeze(long pid, BgtaskDbContext db,
        TaskFreezer freezer, TaskReads reads, TaskPresenter presenter, CancellationToken ct) =>
        await Answer(pid, await freezer.FreezeAsync(db, pid, ct), db, reads, presenter, ct);

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> Thaw(long pid, BgtaskDbContext db,
        TaskFreezer freezer, TaskReads reads, TaskPresenter presenter, CancellationToken ct) =>
        await Answer(pid, await freezer.ThawAsync(db, pid, ct), db, reads, presenter, ct);

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> Answer(long pid, FreezeOutcome outcome,
        BgtaskDbContext db, TaskReads reads, TaskPresenter presenter, CancellationToken ct)
    {
        if (outcome.Change.Outcome == ChangeOutcome.NotFound) return Problem.TaskNotFound(pid);
        if (outcome.Refusal is { } why) return Problem.Conflict(why);
        return await reads.FindAsync(db, pid, ct) is { } task
            ? TypedResults.Ok(presenter.ToResponse(task))
            : Problem.TaskNotFound(pid);
    }

    private static async Task<Results<Ok<KillResponse>, ProblemHttpResult>> Kill(long pid, BgtaskDbContext db,
        TaskKiller killer, CancellationToken ct) =>
        await killer.KillAsync(db, pid, ct) is { } killed
            ? TypedResults.Ok(new KillResponse(pid, killed))
            : Problem.TaskNotFound(pid);
}
