using Bgtask.Api.Auth;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Reports;
using Bgtask.Api.Runners;
using Bgtask.Api.Validation;
using Bgtask.Core.Contracts;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Bgtask.Api.Tasks;

/// <summary>What a runner reports (state, started, finished, stopped, error) and kill.</summary>
public static class TaskStateEndpoints
{
    public static IEndpointRouteBuilder MapTaskStateEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks/{pid:long}").WithTags("Task state")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        group.MapPut("/state", ReportState).WithName("UpdateState").Validate<StateRequest>().AllowWorker();
        group.MapPost("/started", (long pid, BgtaskDbContext db, TaskPresenter p, TaskNotifier c, TimeProvider time,
            CancellationToken ct) => Apply(pid, db.StartAsync(pid, Now(time), ct), p, c)).WithName("SetStarted").AllowWorker();
        group.MapPost("/finished", (long pid, BgtaskDbContext db, StateReportBuffer r, TaskPresenter p, TaskNotifier c,
                TimeProvider time, CancellationToken ct) => Apply(pid, End(db, r, pid, BackgroundTaskStatus.Finished, null, time, ct), p, c))
            .WithName("SetFinished").AllowWorker();
        group.MapPost("/stopped", (long pid, [FromBody] MessageRequest? body, BgtaskDbContext db, StateReportBuffer r,
                TaskPresenter p, TaskNotifier c, TimeProvider time, CancellationToken ct) =>
                Apply(pid, End(db, r, pid, BackgroundTaskStatus.Stopped, body?.Message ?? "stopped", time, ct), p, c))
            .WithName("SetStopped").Validate<MessageRequest>().AllowWorker();
        group.MapPost("/error", (long pid, [FromBody] MessageRequest? body, BgtaskDbContext db, StateReportBuffer r,
                TaskPresenter p, TaskNotifier c, TimeProvider time, CancellationToken ct) =>
                Apply(pid, End(db, r, pid, BackgroundTaskStatus.Error, body?.Message ?? "error", time, ct), p, c))
            .WithName("SetError").Validate<MessageRequest>().AllowWorker();
        group.MapPost("/kill", Kill).WithName("Kill");
        return app;
    }

    private static DateTime Now(TimeProvider time) => time.GetUtcNow().UtcDateTime;

    /// <summary>A terminal transition stays synchronous and durable: the task's buffered report is stored with it.</summary>
    private static Task<Change> End(BgtaskDbContext db, StateReportBuffer reports, long pid, BackgroundTaskStatus status,
        string? message, TimeProvider time, CancellationToken ct) =>
        db.EndAsync(pid, status, message, Now(time), ct, reports.Pending(pid));

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> Apply(
        long pid, Task<Change> pending, TaskPresenter presenter, TaskNotifier changes, bool report = false)
    {
        var change = await pending;
        if (report) changes.Reported(change);
        else changes.Applied(change);
        return change switch
        {
            { Outcome: ChangeOutcome.NotFound } => Problem.TaskNotFound(pid),
            { Outcome: ChangeOutcome.Conflict, Task: { } task } =>
                Problem.Conflict($"Task {pid} is {task.Status.ToString().ToLowerInvariant()}; that call does not apply."),
            { Task: { } task } => TypedResults.Ok(presenter.ToResponse(task)),
            _ => Problem.TaskNotFound(pid),
        };
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> ReportState(long pid, StateRequest request,
        BgtaskDbContext db, StateReportBuffer reports, TaskPresenter presenter, TaskNotifier changes, TimeProvider time,
        CancellationToken ct)
    {
        BackgroundTaskStatus? status = request.Status switch
        {
            "running" => BackgroundTaskStatus.Running,
            "sleeping" => BackgroundTaskStatus.Sleeping,
            _ => null,
        };
        var report = new StateReport(request.OpTotal!.Value, request.OpFinished!.Value, status, request.Memory,
            request.MemoryPeak);
        return await Apply(pid, reports.ReportAsync(db, pid, report, Now(time), ct), presenter, changes, report: true);
    }

    private static async Task<Results<Ok<KillResponse>, ProblemHttpResult>> Kill(long pid, BgtaskDbContext db,
        StateReportBuffer reports, RunnerRegistry runners, TaskNotifier changes, TimeProvider time, CancellationToken ct)
    {
        // Marked first, then ended: the runner's watcher then finds the task ended and leaves it as killed. An
        // in-process run learns of the mark at once and may be gone before it is looked for: noted beforehand.
        var live = runners.Find(pid) is { IsAlive: true } runner ? runner : null;
        var change = await End(db, reports, pid, BackgroundTaskStatus.Stopped, "killed", time, ct);
        changes.Applied(change);
        if (change.Outcome == ChangeOutcome.NotFound) return Problem.TaskNotFound(pid);
        if (change.Outcome != ChangeOutcome.Changed) return TypedResults.Ok(new KillResponse(pid, Killed: false));
        // An external record has no runner of ours: it is only marked, and nothing was ended.
        var killed = await runners.KillAsync(change.Task!) || live is { IsAlive: false };
        if (killed) await changes.AppendLogAsync(db, pid, ["killed"], Now(time), CancellationToken.None);
        return TypedResults.Ok(new KillResponse(pid, killed));
    }
}
