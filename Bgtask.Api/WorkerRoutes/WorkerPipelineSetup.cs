using Bgtask.Api.Auth;
using Bgtask.Api.Limits;

namespace Bgtask.Api.WorkerRoutes;

public static class WorkerPipelineSetup
{
    /// <summary>
    /// The worker routes (<see cref="WorkerRoute"/>: state reports, started/ended, log, signals, config, the task
    /// read), which a running task calls several times a second, get a pipeline of their own, branched off before the
    /// browser-facing middleware: none of Swagger, the dashboard's files, rate limiting (launches only) or the request
    /// log's per-request work (<see cref="WorkerRequestLog"/> logs only what the full log would show at Information).
    /// What the contract says of them is kept, in the same order as the full pipeline: errors as problem details
    /// (exception handler, status code pages), the same authentication and authorization, the body limit.
    /// Endpoint routing has already run (WebApplication routes first), so the branch knows the route it serves.
    /// Call it first.
    /// </summary>
    public static WebApplication UseBgtaskWorkerPipeline(this WebApplication app)
    {
        var branch = ((IApplicationBuilder)app).New();
        branch.UseMiddleware<WorkerRequestLog>();
        branch.UseExceptionHandler();
        branch.UseStatusCodePages();
        branch.UseAuthentication();
        branch.UseAuthorization();
        branch.UseMiddleware<RequestBodyLimitMiddleware>();
        // The worker channel (WorkerChannel/) only: the other worker routes, called for every report, pay nothing for it.
        // Pings every 15 s, so a worker gone without a close is noticed.
        branch.UseWhen(IsWebSocketRoute, channel => channel.UseWebSockets(new WebSocketOptions
        {
            KeepAliveInterval = TimeSpan.FromSeconds(15), KeepAliveTimeout = TimeSpan.FromSeconds(30),
        }));
        branch.Run(context => context.GetEndpoint()!.RequestDelegate!(context));
        var worker = branch.Build();
        app.Use(next => context => IsWorkerRoute(context) ? worker(context) : next(context));
        return app;
    }

    private static bool IsWebSocketRoute(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<WebSocketRoute>() is not null;

    private static bool IsWorkerRoute(HttpContext context) =>
        context.GetEndpoint() is { RequestDelegate: not null } endpoint && endpoint.Metadata.GetMetadata<WorkerRoute>() is not null;
}
