namespace Bgtask.Api.Auth;

/// <summary>Endpoint metadata: a route a worker token may call for its own task (the route's <c>pid</c>).</summary>
public sealed class WorkerRoute
{
    public static readonly WorkerRoute Instance = new();

    private WorkerRoute()
    {
    }
}

/// <summary>Endpoint metadata: a route served as a WebSocket (the worker channel); only it gets the WebSocket middleware.</summary>
public sealed class WebSocketRoute
{
    public static readonly WebSocketRoute Instance = new();

    private WebSocketRoute()
    {
    }
}

/// <summary>Endpoint metadata: a node-to-node route, which only another node (the cluster secret) may call.</summary>
public sealed class NodeRoute
{
    public static readonly NodeRoute Instance = new();

    private NodeRoute()
    {
    }
}

/// <summary>
/// Endpoint metadata: a GET that consumes, and so is a write, when the query flag is true (signals?clean=true), or
/// always when there is no flag (the worker channel).
/// </summary>
public sealed record ConsumingRead(string? Flag);

public static class AccessMetadataExtensions
{
    public static RouteHandlerBuilder AllowWorker(this RouteHandlerBuilder route) => route.WithMetadata(WorkerRoute.Instance);

    public static TBuilder OnlyForNodes<TBuilder>(this TBuilder route) where TBuilder : IEndpointConventionBuilder =>
        route.WithMetadata(NodeRoute.Instance);

    public static RouteHandlerBuilder ConsumesWhen(this RouteHandlerBuilder route, string queryFlag) =>
        route.WithMetadata(new ConsumingRead(queryFlag));

    public static RouteHandlerBuilder ConsumesAlways(this RouteHandlerBuilder route) => route.WithMetadata(new ConsumingRead(null));
}
