using Bgtask.Api.Problems;
using Bgtask.Api.Reports;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Events;

/// <summary>Live events: every change of the tasks (or of one task) and their new log lines, as server-sent events.</summary>
public static class EventEndpoints
{
    private const string Format =
        "Server-sent events (text/event-stream). Each event has an `id` (pass the last one back as `Last-Event-ID` " +
        "to resume without gaps), an `event` type and JSON `data`: `task` (the task resource after a change of " +
        "status, progress, memory or message), `log` (`{ pid, items: [{ seq, at, line }] }`), `config` " +
        "(`{ pid, version }`), `removed` (`{ pid }`), and `snapshot` (`{ items: [task...] }`: the current task(s), sent " +
        "first when the stream cannot resume exactly from `Last-Event-ID`). A comment line is sent every 15 s when idle.";

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks").WithTags("Events")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(503);
        group.MapGet("/events", AllTasks).WithName("TaskEvents")
            .WithSummary("Live events of all tasks")
            .WithDescription(Format + " The snapshot holds the newest tasks (200 by default).")
            .Produces<string>(200, "text/event-stream");
        group.MapGet("/{pid:long}/events", OneTask).WithName("TaskEventsOfTask")
            .WithSummary("Live events of one task")
            .WithDescription(Format + " This stream always starts with a snapshot of the task unless it resumes, and " +
                             "ends after the task's terminal event. Errors: 404 for an unknown pid.")
            .Produces<string>(200, "text/event-stream").ProducesProblem(404);
        return app;
    }

    private static string? LastEventId(HttpRequest request) =>
        request.Headers["Last-Event-ID"].FirstOrDefault() is { Length: > 0 } id ? id : null;

    private static async Task<IResult> AllTasks(HttpRequest request, BgtaskDbContext db, TaskEventHub hub,
        TaskReads reads, TaskPresenter presenter, IOptions<EventOptions> options, CancellationToken ct)
    {
        var subscription = hub.Subscribe(null, LastEventId(request));
        string? snapshot = null;
        if (subscription.NeedsSnapshot)
        {
            var tasks = await reads.ListAsync(db, new TaskFilter(null, null, null, null, options.Value.SnapshotSize), ct);
            snapshot = hub.Serialize(new SnapshotEventData(tasks.Take(options.Value.SnapshotSize).Select(presenter.ToResponse).ToList()));
        }
        return new EventStream(hub, subscription, snapshot, endOnTerminal: false);
    }

    private static async Task<IResult> OneTask(long pid, HttpRequest request, BgtaskDbContext db, TaskEventHub hub,
        TaskReads reads, TaskPresenter presenter, CancellationToken ct)
    {
        var lastEventId = LastEventId(request);
        var subscription = hub.Subscribe(pid, lastEventId);
        var task = await reads.FindAsync(db, pid, ct);
        if (task is null)
        {
            subscription.Dispose();
            return Problem.TaskNotFound(pid);
        }
        // A task that ended before the resumed id has nothing more to say: its snapshot ends the stream.
        var ended = task.Status.IsTerminal() && !subscription.Backlog.Any(e => e.Terminal);
        var snapshot = lastEventId is null || subscription.NeedsSnapshot || ended
            ? hub.Serialize(new SnapshotEventData([presenter.ToResponse(task)]))
            : null;
        if (snapshot is not null) subscription.Backlog.Clear(); // the snapshot already is the state they carry
        return new EventStream(hub, subscription, snapshot, endOnTerminal: true) { SnapshotIsTerminal = task.Status.IsTerminal() };
    }
}
