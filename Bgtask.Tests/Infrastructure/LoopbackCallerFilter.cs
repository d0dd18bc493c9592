using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Bgtask.Tests.Infrastructure;

/// <summary>
/// TestServer requests carry no remote address, which the service (rightly) does not count as loopback.
/// The contract tests stand for a client on the same machine with no keys configured, so their requests
/// come from 127.0.0.1. The auth tests have a factory of their own that picks the caller's address.
/// </summary>
internal sealed class LoopbackCallerFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}
