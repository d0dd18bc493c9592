using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Bgtask.Tests.Infrastructure;

/// <summary>
/// TestServer requests carry no addresses, and the service (rightly) does not count a missing one as loopback.
/// A request comes from the address in the <see cref="Header"/> header (the auth tests pick the caller's), and
/// otherwise from 127.0.0.1: the contract tests stand for a client on the same machine with no keys configured.
/// <see cref="NoAddress"/> keeps TestServer's own default (none at all, as over a Unix socket). In front of the
/// whole pipeline.
/// </summary>
public sealed class CallerAddressFilter : IStartupFilter
{
    public const string Header = "X-Test-Remote-Ip";
    public const string NoAddress = "none";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            var named = (string?)context.Request.Headers[Header];
            if (IPAddress.TryParse(named, out var address)) context.Connection.RemoteIpAddress = address;
            else if (named != NoAddress) context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
            context.Connection.LocalIpAddress ??= IPAddress.Loopback;
            return nextMiddleware(context);
        });
        next(app);
    };
}
