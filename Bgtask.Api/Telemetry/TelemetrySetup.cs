using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Bgtask.Api.Telemetry;

public static class TelemetrySetup
{
    /// <summary>
    /// OpenTelemetry: the Bgtask meter with the ASP.NET Core, HttpClient and runtime metrics, scraped by
    /// Prometheus at <c>/metrics</c>; spans of the Bgtask source and of HTTP in and out, whose trace context
    /// reaches the worker processes (TRACEPARENT). Add an exporter of your choice to ship the spans.
    /// </summary>
    public static IHostApplicationBuilder AddBgtaskTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TaskCounts>();
        builder.Services.AddSingleton<BgtaskMetrics>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("bgtask"))
            .WithMetrics(m => m
                .AddMeter(BgtaskMetrics.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter())
            .WithTracing(t => t
                .AddSource(BgtaskMetrics.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation());
        return builder;
    }

    /// <summary>The Prometheus scrape endpoint, <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapBgtaskMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
