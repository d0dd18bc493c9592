using System.Globalization;
using System.Threading.RateLimiting;
using Bgtask.Api.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.RateLimiting;

public static class RateLimitingSetup
{
    /// <summary>The policy launch routes carry: <c>.RequireRateLimiting(RateLimitingSetup.LaunchPolicy)</c>.</summary>
    public const string LaunchPolicy = "launches";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IHostApplicationBuilder AddBgtaskRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LaunchRateOptions>().BindConfiguration(LaunchRateOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = RejectAsync;
            o.AddPolicy(LaunchPolicy, http =>
            {
                var perMinute = http.RequestServices.GetRequiredService<IOptions<LaunchRateOptions>>().Value.LaunchesPerMinute;
                return perMinute <= 0
                    ? RateLimitPartition.GetNoLimiter("off")
                    : RateLimitPartition.GetFixedWindowLimiter(Client(http), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = perMinute,
                        Window = Window,
                        QueueLimit = 0,
                    });
            });
        });
        return builder;
    }

    /// <summary>
    /// After authorization: the partition is the caller's key, and a refused caller spends no permit. Off (the
    /// default), the middleware is left out: its partitioned limiter ticks a timer every 100 ms for nothing.
    /// </summary>
    public static WebApplication UseBgtaskRateLimiting(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<LaunchRateOptions>>().Value.LaunchesPerMinute > 0) app.UseRateLimiter();
        return app;
    }

    /// <summary>One bucket per API key name; without a key (loopback, no keys configured), one per address.</summary>
    private static string Client(HttpContext http) =>
        http.User.FindFirst(BgtaskAuth.KeyNameClaim)?.Value is { } key
            ? $"key:{key}"
            : $"ip:{http.Connection.RemoteIpAddress}";

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        var perMinute = http.RequestServices.GetRequiredService<IOptions<LaunchRateOptions>>().Value.LaunchesPerMinute;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                // The framework has no default type for 429.
                Type = "https://tools.ietf.org/html/rfc6585#section-4",
                Title = "Too many launches",
                Detail = $"At most {perMinute} launches a minute per client; try again in {seconds} s.",
            },
        });
    }
}
