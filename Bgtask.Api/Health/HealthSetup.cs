using Bgtask.Core.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bgtask.Api.Health;

public static class HealthSetup
{
    private const string Ready = "ready";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static IHostApplicationBuilder AddBgtaskHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [Ready]);
        return builder;
    }

    public static IEndpointRouteBuilder MapBgtaskHealth(this IEndpointRouteBuilder app)
    {
        // Open to all: probes carry no credentials.
        app.MapHealthChecks(LivePath, new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new() { Predicate = c => c.Tags.Contains(Ready) }).AllowAnonymous();
        return app;
    }
}

/// <summary>Ready means the database answers.</summary>
public sealed class DatabaseHealthCheck(BgtaskDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            return await db.Database.CanConnectAsync(ct)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database does not answer.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", e);
        }
    }
}
