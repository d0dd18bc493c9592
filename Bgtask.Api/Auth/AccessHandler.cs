using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Bgtask.Api.Auth;

/// <summary>What every /api route requires: the caller's role allows this method on this route (and pid).</summary>
public sealed class AccessRequirement : IAuthorizationRequirement;

/// <summary>
/// Node: only the node-to-node routes, which nobody else may call. Admin: everything else. Reader: reads only (GET, but not a consuming one). Worker: the routes marked
/// <see cref="WorkerRoute"/>, for the pid of its own task. A refusal says why; it becomes the 403's detail.
/// </summary>
public sealed class AccessHandler : AuthorizationHandler<AccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        // Endpoint routing passes the HttpContext; an anonymous caller is challenged (401) by the policy itself.
        if (context.Resource is not HttpContext http || context.User.Identity?.IsAuthenticated != true)
            return Task.CompletedTask;
        if (Refusal(context.User, http) is { } reason) context.Fail(new AuthorizationFailureReason(this, reason));
        else context.Succeed(requirement);
        return Task.CompletedTask;
    }

    private static string? Refusal(ClaimsPrincipal user, HttpContext http)
    {
        var request = $"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}";
        // Node-to-node routes and the node credential belong to each other only: no API key or token reaches one.
        var nodeRoute = http.GetEndpoint()?.Metadata.GetMetadata<NodeRoute>() is not null;
        if (user.IsInRole(BgtaskAuth.NodeRole))
            return nodeRoute ? null : $"The cluster secret is good only for the node-to-node routes, not for {request}.";
        if (nodeRoute) return $"{request} is a node-to-node route: only another node of the cluster may call it.";
        if (user.IsInRole(BgtaskAuth.AdminRole)) return null;
        if (user.IsInRole(BgtaskAuth.ReaderRole))
            return IsRead(http) ? null : $"A Reader key may only read; {request} changes something and needs an Admin key.";
        if (user.IsInRole(BgtaskAuth.WorkerRole) && long.TryParse(user.FindFirstValue(BgtaskAuth.PidClaim),
                CultureInfo.InvariantCulture, out var pid))
            return IsOwnWorkerRoute(http, pid) ? null
                : $"A worker token is good only for the worker routes of its own task ({pid}), not for {request}.";
        return "This credential has no role here.";
    }

    private static bool IsRead(HttpContext http)
    {
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)) return false;
        if (http.GetEndpoint()?.Metadata.GetMetadata<ConsumingRead>() is not { } consuming) return true;
        if (consuming.Flag is null) return false;
        // Parsed as the endpoint's bool? parameter is: anything that binds to true consumes.
        return !(bool.TryParse((string?)http.Request.Query[consuming.Flag], out var on) && on);
    }

    private static bool IsOwnWorkerRoute(HttpContext http, long pid) =>
        http.GetEndpoint()?.Metadata.GetMetadata<WorkerRoute>() is not null
        // Parsed as the endpoint's long parameter is, so the decision is about the pid the handler will use.
        && long.TryParse(http.GetRouteValue("pid")?.ToString(), CultureInfo.InvariantCulture, out var routePid)
        && routePid == pid;
}
