using Bgtask.Api.Tasks;
using Bgtask.Api.Validation;
using Bgtask.Core.Contracts;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Problem = Bgtask.Api.Problems.Problems;

namespace Bgtask.Api.Signals;

/// <summary>Signals: send, read (optionally consuming, optionally waiting), clear.</summary>
public static class SignalEndpoints
{
    public const double MaxWaitSeconds = 60;

    public static IEndpointRouteBuilder MapSignalEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks/{pid:long}/signals").WithTags("Signals").ProducesProblem(404);
        group.MapPost("/", Send).WithName("Signal").Validate<SignalRequest>().ProducesProblem(409);
        group.MapGet("/", Read).WithName("GetSignals").ProducesValidationProblem();
        group.MapDelete("/", Clear).WithName("ClearSignals");
        return app;
    }

    private static async Task<Results<Created<SignalResponse>, ProblemHttpResult>> Send(long pid, SignalRequest request,
        BgtaskDbContext db, TaskChanges changes, TimeProvider time, CancellationToken ct)
    {
        var (outcome, signal) = await db.SendSignalAsync(pid, request.Signal!, time.GetUtcNow().UtcDateTime, ct);
        switch (outcome)
        {
            case ChangeOutcome.NotFound: return Problem.TaskNotFound(pid);
            case ChangeOutcome.Conflict: return Problem.Conflict($"Task {pid} has ended; it takes no signals.");
        }
        changes.SignalSent(pid, signal!.Signal);
        return TypedResults.Created($"/api/tasks/{pid}/signals", SignalResponse.From(signal));
    }

    private static async Task<Results<Ok<List<SignalResponse>>, ProblemHttpResult, ValidationProblem>> Read(
        long pid, HttpContext http, BgtaskDbContext db, TaskWakeups wakeups, TimeProvider time,
        IOptions<SignalOptions> options, CancellationToken ct, bool? clean = null, double? wait = null)
    {
        if (wait is < 0 or > MaxWaitSeconds || (wait is { } w && !double.IsFinite(w)))
            return Problem.Invalid("wait", $"'wait' is a number of seconds from 0 to {MaxWaitSeconds}.");

        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(wait ?? 0);
        int? versionAtStart = null;
        while (true)
        {
            var woken = wakeups.WhenWoken(pid);
            var task = await db.Tasks.AsNoTracking().Where(t => t.Id == pid)
                .Select(t => new { t.Status, t.ConfigVersion }).FirstOrDefaultAsync(ct);
            if (task is null) return Problem.TaskNotFound(pid);
            versionAtStart ??= task.ConfigVersion;

            var signals = clean == true ? await db.ConsumeSignalsAsync(pid, ct) : await db.PeekSignalsAsync(pid, ct);
            var left = deadline - time.GetUtcNow();
            if (signals.Count > 0 || task.Status.IsTerminal() || task.ConfigVersion != versionAtStart || left <= TimeSpan.Zero)
            {
                http.Response.Headers[ContractHeaders.ConfigVersion] = task.ConfigVersion.ToString();
                return TypedResults.Ok(signals.Select(SignalResponse.From).ToList());
            }

            var recheck = left < options.Value.RecheckInterval ? left : options.Value.RecheckInterval;
            await WaitAsync(woken, recheck, time, ct);
        }
    }

    private static async Task WaitAsync(Task woken, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(timeout, time, cts.Token);
        await Task.WhenAny(woken, delay);
        cts.Cancel();
        ct.ThrowIfCancellationRequested();
    }

    private static async Task<Results<Ok<RemovedResponse>, ProblemHttpResult>> Clear(long pid, BgtaskDbContext db,
        CancellationToken ct, [FromQuery] long[]? id = null)
    {
        if (!await db.TaskExistsAsync(pid, ct)) return Problem.TaskNotFound(pid);
        return TypedResults.Ok(new RemovedResponse(await db.ClearSignalsAsync(pid, id ?? [], ct)));
    }
}
