using Bgtask.Api.Auth;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Reports;
using Bgtask.Api.Validation;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Tasks;

/// <summary>The task resource: list, read, record, remove.</summary>
public static class TaskEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The name of a record created without one.</summary>
    public const string ExternalTaskName = "external";

    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks").WithTags("Tasks").ProducesProblem(401).ProducesProblem(403)
            .ProducesProblem(503);
        group.MapGet("/", ListTasks).WithName("ListTasks").ProducesValidationProblem()
            .WithSummary("List tasks").WithDescription(TaskDocs.List);
        group.MapGet("/{pid:long}", GetTask).WithName("GetTask").ProducesProblem(404).AllowWorker()
            .WithSummary("Read a task").WithDescription(TaskDocs.Get);
        group.MapGet("/{pid:long}/live", IsLive).WithName("IsLive").ProducesProblem(404)
            .WithSummary("Is a task live").WithDescription(TaskDocs.IsLive);
        group.MapPost("/records", CreateRecord).WithName("AddTaskRecord").Validate<CreateRecordRequest>().ProducesProblem(409)
            .WithSummary("Record a task run elsewhere").WithDescription(TaskDocs.AddRecord);
        group.MapDelete("/{pid:long}", RemoveTask).WithName("RemoveTask").ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Remove an ended task").WithDescription(TaskDocs.Remove);
        return app;
    }

    private static async Task<Results<Ok<TaskPage>, ValidationProblem>> ListTasks(
        BgtaskDbContext db, TaskReads reads, TaskPresenter presenter, CancellationToken ct,
        string? status = null, string? task = null, long? parent = null, int? limit = null, long? after = null)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
            return Problem.Invalid("limit", $"'limit' must be between 1 and {MaxLimit}.");
        if (!TryParseStatuses(status, out var statuses))
            return Problem.Invalid("status",
                "'status' is one or more of pending, running, sleeping, stopped, finished, error (comma-separated).");

        var rows = await reads.ListAsync(db, new TaskFilter(statuses, task, parent, after, take), ct);
        var more = rows.Count > take;
        if (more) rows.RemoveAt(rows.Count - 1);
        return TypedResults.Ok(new TaskPage(rows.Select(presenter.ToResponse).ToList(),
            more ? rows[^1].Id : null));
    }

    private static bool TryParseStatuses(string? value, out List<BackgroundTaskStatus>? statuses)
    {
        statuses = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        statuses = [];
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // Exact: the contract's lowercase names only (no numbers, no other case).
            if (!Enum.TryParse<BackgroundTaskStatus>(part, ignoreCase: true, out var parsed) ||
                part != parsed.ToString().ToLowerInvariant())
                return false;
            statuses.Add(parsed);
        }
        return statuses.Count > 0;
    }

    private static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> GetTask(
        long pid, BgtaskDbContext db, TaskReads reads, TaskPresenter presenter, CancellationToken ct) =>
        await reads.FindAsync(db, pid, ct) is { } task
            ? TypedResults.Ok(presenter.ToResponse(task))
            : Problem.TaskNotFound(pid);

    private static async Task<Results<Ok<LiveResponse>, ProblemHttpResult>> IsLive(
        long pid, BgtaskDbContext db, TaskReads reads, TaskPresenter presenter, CancellationToken ct) =>
        await reads.FindAsync(db, pid, ct) is { } task
            ? TypedResults.Ok(new LiveResponse(pid, presenter.ToResponse(task).Live))
            : Problem.TaskNotFound(pid);

    private static async Task<Results<Created<TaskResponse>, ValidationProblem, ProblemHttpResult>> CreateRecord(
        CreateRecordRequest request, BgtaskDbContext db, TaskPresenter presenter, TaskNotifier changes,
        IOptions<StorageOptions> storage, TimeProvider time, CancellationToken ct)
    {
        if (request.Parent is { } parent && !await db.TaskExistsAsync(parent, ct))
            return Problem.Invalid("parent", $"There is no task with pid {parent}.");

        var name = request.Task ?? ExternalTaskName;
        var created = await db.CreateTaskAsync(new BackgroundTask
        {
            Task = name,
            Description = request.Description,
            Launcher = LauncherKind.External,
            ParentId = request.Parent,
            Status = BackgroundTaskStatus.Pending,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            Exclusive = ExclusiveKeys.Resolve(request.Exclusive, name),
        }, ConfigVersions.Empty, storage.Value.PidsMayRepeat, ct);
        if (created.Held is { } held) return Problem.ExclusiveHeld(held);
        var task = created.Tasks[0];
        changes.Created(task);
        return TypedResults.Created($"/api/tasks/{task.Id}", presenter.ToResponse(task));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveTask(
        long pid, BgtaskDbContext db, TaskNotifier changes, CancellationToken ct)
    {
        switch (await db.RemoveTaskAsync(pid, ct))
        {
            case ChangeOutcome.NotFound:
                return Problem.TaskNotFound(pid);
            case ChangeOutcome.Conflict:
                return Problem.Conflict($"Task {pid} is live; stop or kill it before removing it.");
            default:
                changes.Removed(pid);
                return TypedResults.NoContent();
        }
    }
}
