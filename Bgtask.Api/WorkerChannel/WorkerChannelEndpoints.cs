using Bgtask.Api.Auth;
using Bgtask.Api.Notifications;
using Bgtask.Api.Problems;
using Bgtask.Api.Signals;
using Bgtask.Api.Telemetry;
using Bgtask.Core.Contracts;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bgtask.Api.WorkerChannel;

/// <summary>The worker channel: one WebSocket per running task, reports up, signals and config versions down.</summary>
public static class WorkerChannelEndpoints
{
    public static IEndpointRouteBuilder MapWorkerChannelEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tasks/{pid:long}/channel", Open).WithTags("Task state").WithName("WorkerChannel")
            .AllowWorker().ConsumesAlways().WithMetadata(WebSocketRoute.Instance)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503)
            .WithSummary("Open the worker channel (WebSocket)").WithDescription(WorkerChannelDocs.Open);
        return app;
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> Open(long pid, HttpContext http,
        BgtaskDbContext db, RunnerCalls calls, TaskNotifier notifier, SignalReader reader, IValidator<StateRequest> validator,
        IServiceScopeFactory scopes, BgtaskMetrics metrics, ILoggerFactory loggers, CancellationToken ct)
    {
        // An unknown pid is 404 here as on every pid route, whatever the request.
        if (!await db.TaskExistsAsync(pid, ct)) return Problem.TaskNotFound(pid);
        if (!http.WebSockets.IsWebSocketRequest)
            return Problem.BadRequest($"GET /api/tasks/{pid}/channel is a WebSocket upgrade; use the HTTP routes otherwise.");
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var session = new ChannelSession(socket, pid, db, scopes, calls, notifier, reader, validator, metrics,
            loggers.CreateLogger(typeof(ChannelSession)));
        await session.RunAsync(ct);
        return TypedResults.Empty;
    }
}
