using Bgtask.Api.Auth;
using Bgtask.Api.Freezing;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Validation;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Bgtask.Api.Signals;

/// <summary>Signals: send, read (optionally consuming, optionally waiting), clear.</summary>
public static class SignalEndpoints
{
    public const double MaxWaitSeconds = 60;

    public static IEndpointRouteBuilder MapSignalEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks/{pid:long}/signals").WithTags("Signals")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        group.MapPost("/", Send).WithName("Signal").Validate<SignalRequest>().ProducesProblem(409)
            .WithSummary("Send a signal").WithDescription(SignalDocs.Send);
        group.MapGet("/", Read).WithName("GetSignals").ProducesValidationProblem().AllowWorker().ConsumesWhen("clean")
            .WithSummary("Read (or take) pending signals").WithDescription(SignalDocs.Read);
        group.MapDelete("/", Clear).WithName("ClearSignals").AllowWorker()
            .ProducesProblem(400).WithSummary("Clear pending signals").WithDescription(SignalDocs.Clear);
        return app;
    }

    private static async Task<Results<Created<SignalResponse>, ProblemHttpResult>> Send(long pid, SignalRequest request,
        BgtaskDbContext db, TaskNotifier changes, TaskFreezer freezer, TimeProvider time, CancellationToken ct)
    {
        var (outcome, signal) = await db.SendSignalAsync(pid, request.Signal!, time.GetUtcNow().UtcDateTime, ct);
        switch (outcome)
        {
            case ChangeOutcome.NotFound: return Problem.TaskNotFound(pid);
            case ChangeOutcome.Conflict: return Problem.Conflict($"Task {pid} has ended; it takes no signals.");
        }
        changes.SignalSent(pid, signal!.Signal);
        // A launch still queued for a runner has nobody to read its stop: it ends here, never started.
        if (signal.Signal == SignalNames.Stop)
        {
            changes.Applied(await db.EndQueuedAsync(pid, BackgroundTaskStatus.Stopped, "stopped by signal",
                time.GetUtcNow().UtcDateTime, ct));
            // A frozen task could never read its stop: it is thawed to reach its check-point.
            await freezer.ThawForStopAsync(db, pid, ct);
        }
        return TypedResults.Created($"/api/tasks/{pid}/signals", SignalResponse.From(signal));
    }

    private static async Task<Results<Ok<List<SignalResponse>>, ProblemHttpResult, ValidationProblem>> Read(
        long pid, HttpContext http, SignalReader reader, CancellationToken ct,
        bool? clean = null, double? wait = null, int? version = null)
    {
        if (wait is < 0 or > MaxWaitSeconds || (wait is { } w && !double.IsFinite(w)))
            return Problem.Invalid("wait", $"'wait' is a number of seconds from 0 to {MaxWaitSeconds}.");

        var read = await reader.ReadAsync(pid, clean == true, TimeSpan.FromSeconds(wait ?? 0), version, ct);
        if (read is null) return Problem.TaskNotFound(pid);
        http.Response.Headers[ContractHeaders.ConfigVersion] = read.ConfigVersion.ToString();
        return TypedResults.Ok(read.Signals.Select(SignalResponse.From).ToList());
    }

    private static async Task<Results<Ok<RemovedResponse>, ProblemHttpResult>> Clear(long pid, BgtaskDbContext db,
        CancellationToken ct, [FromQuery] long[]? id = null)
    {
        if (!await db.TaskExistsAsync(pid, ct)) return Problem.TaskNotFound(pid);
        return TypedResults.Ok(new RemovedResponse(await db.ClearSignalsAsync(pid, id ?? [], ct)));
    }
}
