using Bgtask.Api.Auth;
using Bgtask.Api.Cluster;
using Bgtask.Api.Events;
using Bgtask.Api.Freezing;
using Bgtask.Api.Launches;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Nodes;

/// <summary>
/// The nodes resource, and in cluster mode the node-to-node routes (not in the OpenAPI document, and closed to API
/// keys and worker tokens): the notes another node sends about tasks it changed, and the kill of a runner this node holds.
/// </summary>
public static class NodeEndpoints
{
    public static IEndpointRouteBuilder MapNodeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/nodes", List).WithTags("Nodes").WithName("ListNodes")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(503)
            .WithSummary("List the service nodes").WithDescription(NodeDocs.List);

        if (!app.ServiceProvider.GetRequiredService<IOptions<ClusterOptions>>().Value.Enabled) return app;
        var nodes = app.MapGroup("/internal/nodes").OnlyForNodes().ExcludeFromDescription();
        nodes.MapPost("/notes", Notes);
        nodes.MapPost("/tasks/{pid:long}/runner/kill", KillRunner);
        nodes.MapPost("/tasks/{pid:long}/kill", async Task<Results<Ok<NodeKillResult>, NotFound>> (long pid,
            BgtaskDbContext db, TaskKiller killer, CancellationToken ct) =>
            await killer.KillAsync(db, pid, ct, relay: false) is { } killed
                ? TypedResults.Ok(new NodeKillResult(pid, killed))
                : TypedResults.NotFound());
        nodes.MapPost("/tasks/{pid:long}/freeze", (long pid, BgtaskDbContext db, TaskFreezer freezer, CancellationToken ct) =>
            Answer(freezer.FreezeAsync(db, pid, ct, relay: false)));
        nodes.MapPost("/tasks/{pid:long}/thaw", (long pid, BgtaskDbContext db, TaskFreezer freezer, CancellationToken ct) =>
            Answer(freezer.ThawAsync(db, pid, ct, relay: false)));
        return app;
    }

    private static async Task<Ok<List<NodeResponse>>> List(BgtaskDbContext db, IOptions<ClusterOptions> cluster,
        IOptions<TasksOptions> tasks, NodeLease lease, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var running = await db.RunningPerNodeAsync(ct);
        var options = cluster.Value;
        if (!options.Enabled)
            return TypedResults.Ok(new List<NodeResponse>
            {
                new(options.NodeName, options.NodeUrl?.ToString(), lease.StartedAt, now, true,
                    running.GetValueOrDefault(options.NodeName), tasks.Value.MaxRunning),
            });
        var cutoff = now - options.Lease;
        return TypedResults.Ok((await db.ListNodesAsync(ct)).Select(n => new NodeResponse(n.Name, n.Url, n.StartedAt,
            n.HeartbeatAt, n.LeftAt is null && n.HeartbeatAt >= cutoff, running.GetValueOrDefault(n.Name), n.Slots)).ToList());
    }

    /// <summary>What another node stored: wake the held reads, and hand the events to this node's streams.</summary>
    private static NoContent Notes(NodeNotes notes, TaskWakeups wakeups, TaskEventHub events, WorkerTokenCache tokens)
    {
        foreach (var note in notes.Notes)
        {
            if (note.Wake) wakeups.Wake(note.Pid);
            if (note is { EventType: { } type, EventData: { } data })
            {
                events.PublishSerialized(type, note.Pid, data, note.Terminal);
                if (note.Terminal) tokens.Forget(note.Pid); // an ended task's token reads the database again
            }
        }
        return TypedResults.NoContent();
    }

    /// <summary>A freeze or thaw done here for another node: 200, 404, or 409 with the refusal as its detail.</summary>
    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> Answer(Task<FreezeOutcome> action)
    {
        var outcome = await action;
        if (outcome.Change.Outcome == Bgtask.Core.Tasks.ChangeOutcome.NotFound) return TypedResults.NotFound();
        if (outcome.Refusal is { } why) return Bgtask.Api.Problems.Problem.Conflict(why);
        return TypedResults.NoContent();
    }

    /// <summary>Ends the runner this node holds for the task (the task is already marked ended by the caller).</summary>
    private static async Task<Results<Ok<NodeKillResult>, NotFound>> KillRunner(long pid, BgtaskDbContext db,
        RunnerRegistry runners, CancellationToken ct)
    {
        if (await db.FindTaskAsync(pid, ct) is not { } task) return TypedResults.NotFound();
        var killed = await runners.KillHereAsync(task);
        return TypedResults.Ok(new NodeKillResult(pid, killed));
    }
}
