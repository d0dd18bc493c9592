using Bgtask.Api.Auth;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Reports;
using Bgtask.Api.Validation;
using Bgtask.Core.Contracts;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Bgtask.Api.Tasks;

/// <summary>What a runner reports: state, started, finished, stopped, error (the worker's routes).</summary>
public static class TaskStateEndpoints
{
    public static IEndpointRouteBuilder MapTaskStateEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks/{pid:long}").WithTags("Task state")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(503);
        group.MapPut("/state", ReportState).WithName("UpdateState").Validate<StateRequest>().AllowWorker()
            .WithSummary("Report progress").WithDescription(TaskStateDocs.UpdateState);
        group.MapPost("/started", (long pid, BgtaskDbContext db, RunnerCalls calls, TaskPresenter p, CancellationToken ct) =>
                Answer(pid, calls.StartAsync(db, pid, ct), p)).WithName("SetStarted").AllowWorker()
            .WithSummary("Mark a task started").WithDescription(TaskStateDocs.Started);
        group.MapPost("/finished", (long pid, BgtaskDbContext db, RunnerCalls calls, TaskPresenter p, CancellationToken ct) =>
                Answer(pid, calls.EndAsync(db, pid, BackgroundTaskStatus.Finished, null, ct), p)).WithName("SetFinished").AllowWorker()
            .WithSummary("Mark a task finished").WithDescription(TaskStateDocs.Finished);
        group.MapPost("/stopped", (long pid, [FromBody] MessageRequest? body, BgtaskDbContext db, RunnerCalls calls,
                TaskPresenter p, CancellationToken ct) =>
                Answer(pid, calls.EndAsync(db, pid, BackgroundTaskStatus.Stopped, body?.Message ?? "stopped", ct), p))
            .WithName("SetStopped").Validate<MessageRequest>().AllowWorker()
            .WithSummary("Mark a task stopped").WithDescription(TaskStateDocs.Stopped);
        group.MapPost("/error", (long pid, [FromBody] MessageRequest? body, BgtaskDbContext db, RunnerCalls calls,
                TaskPresenter p, CancellationToken ct) =>
                Answer(pid, calls.EndAsync(db, pid, BackgroundTaskStatus.Error, body?.Message ?? "error", ct), p))
            .WithName("SetError").Validate<MessageRequest>().AllowWorker()
            .WithSummary("Mark a task failed").WithDescription(TaskStateDocs.Error);
        return app;
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> Answer(long pid, Task<Change> call,
        TaskPresenter presenter) =>
        await call switch
        {
            { Outcome: ChangeOutcome.NotFound } => Problem.TaskNotFound(pid),
            { Outcome: ChangeOutcome.Conflict, Task: { } task } => Problem.Conflict(ConflictDetail(task)),
            { Task: { } task } => TypedResults.Ok(presenter.ToResponse(task)),
            _ => Problem.TaskNotFound(pid),
        };

    /// <summary>The 409's detail for a runner's call on a task whose state forbids it (HTTP and the worker channel).</summary>
    public static string ConflictDetail(BackgroundTask task) =>
        $"Task {task.Id} is {task.Status.ToString().ToLowerInvariant()}; that call does not apply.";

    private static Task<Results<Ok<TaskResponse>, ProblemHttpResult>> ReportState(long pid, StateRequest request,
        BgtaskDbContext db, RunnerCalls calls, TaskPresenter presenter, CancellationToken ct) =>
        Answer(pid, calls.ReportAsync(db, pid, ToReport(request), ct), presenter);

    /// <summary>A validated <c>PUT state</c> body as the report it is (HTTP and the worker channel).</summary>
    public static StateReport ToReport(StateRequest request)
    {
        BackgroundTaskStatus? status = request.Status switch
        {
            "running" => BackgroundTaskStatus.Running,
            "sleeping" => BackgroundTaskStatus.Sleeping,
            _ => null,
        };
        return new StateReport(request.OpTotal!.Value, request.OpFinished!.Value, status, request.Memory, request.MemoryPeak);
    }
}
