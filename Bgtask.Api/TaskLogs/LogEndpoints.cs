using Bgtask.Api.Auth;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Validation;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bgtask.Api.TaskLogs;

/// <summary>A task's log (the original's Bgtask_Log): append lines, read them oldest first.</summary>
public static class LogEndpoints
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapLogEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks/{pid:long}/log").WithTags("Log")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        group.MapPost("/", Append).WithName("WriteLog").Validate<LogAppendRequest>().AllowWorker()
            .WithSummary("Append log lines").WithDescription(LogDocs.Write);
        group.MapGet("/", Read).WithName("ReadLog").ProducesValidationProblem()
            .WithSummary("Read a task's log").WithDescription(LogDocs.Read);
        return app;
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> Append(long pid, LogAppendRequest request,
        BgtaskDbContext db, RunnerCalls calls, CancellationToken ct)
    {
        var lines = request.Lines!.Select(l => l!).ToList();
        return await calls.AppendLogAsync(db, pid, lines, ct)
            ? TypedResults.Accepted((string?)null)
            : Problem.TaskNotFound(pid);
    }

    private static async Task<Results<Ok<LogPage>, ProblemHttpResult, ValidationProblem>> Read(long pid,
        BgtaskDbContext db, CancellationToken ct, long? after = null, int? limit = null)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
            return Problem.Invalid("limit", $"'limit' must be between 1 and {MaxLimit}.");
        if (!await db.TaskExistsAsync(pid, ct)) return Problem.TaskNotFound(pid);

        var lines = await db.ReadLogAsync(pid, after ?? 0, take + 1, ct);
        var more = lines.Count > take;
        if (more) lines.RemoveAt(lines.Count - 1);
        return TypedResults.Ok(new LogPage(lines.Select(LogLineResponse.From).ToList(), more ? lines[^1].Seq : null));
    }
}
