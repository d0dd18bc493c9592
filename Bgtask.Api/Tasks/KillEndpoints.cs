using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Runners;
using Bgtask.Core.Contracts;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bgtask.Api.Tasks;

/// <summary><c>POST /api/tasks/{pid}/kill</c>: a client's action on a task, beside signals and config.</summary>
public static class KillEndpoints
{
    public static IEndpointRouteBuilder MapKillEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/tasks/{pid:long}/kill", Kill).WithTags("Tasks").WithName("Kill")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503)
            .WithSummary("Kill a task").WithDescription(TaskDocs.Kill);
        return app;
    }

    private static async Task<Results<Ok<KillResponse>, ProblemHttpResult>> Kill(long pid, BgtaskDbContext db,
        RunnerCalls calls, RunnerRegistry runners, CancellationToken ct)
    {
        // Marked first, then ended: the runner's watcher then finds the task ended and leaves it as killed. An
        // in-process run learns of the mark at once and may be gone before it is looked for: noted beforehand.
        var live = runners.Find(pid) is { IsAlive: true } runner ? runner : null;
        var change = await calls.EndAsync(db, pid, BackgroundTaskStatus.Stopped, "killed", ct);
        if (change.Outcome == ChangeOutcome.NotFound) return Problem.TaskNotFound(pid);
        if (change.Outcome != ChangeOutcome.Changed) return TypedResults.Ok(new KillResponse(pid, Killed: false));
        // An external record has no runner of ours: it is only marked, and nothing was ended.
        var killed = await runners.KillAsync(change.Task!) || live is { IsAlive: false };
        if (killed) await calls.AppendLogAsync(db, pid, ["killed"], CancellationToken.None);
        return TypedResults.Ok(new KillResponse(pid, killed));
    }
}
