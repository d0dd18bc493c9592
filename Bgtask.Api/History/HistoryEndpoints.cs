using Bgtask.Api.Problems;
using Bgtask.Api.Reports;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.History;

/// <summary>A task's history: the points its reports and status changes left (see <see cref="HistoryOptions"/>).</summary>
public static class HistoryEndpoints
{
    public static IEndpointRouteBuilder MapHistoryEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tasks/{pid:long}/history", Read).WithTags("Tasks").WithName("ReadHistory")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503)
            .WithSummary("Read a task's history").WithDescription(HistoryDocs.Read);
        return app;
    }

    private static async Task<Results<Ok<HistoryResponse>, ProblemHttpResult>> Read(long pid, BgtaskDbContext db,
        IOptions<HistoryOptions> options, CancellationToken ct)
    {
        if (!await db.TaskExistsAsync(pid, ct)) return Problem.TaskNotFound(pid);
        // The cap holds even while another replica's flush has not thinned yet: the newest points are shown.
        var points = await db.ReadHistoryAsync(pid, options.Value.MaxPoints, ct);
        return TypedResults.Ok(new HistoryResponse(pid, points.Select(HistoryPointResponse.From).ToList()));
    }
}
