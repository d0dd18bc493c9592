namespace Bgtask.Api.Telemetry;

public static class TelemetrySetup
{
    public static IHostApplicationBuilder AddBgtaskTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<TaskCounts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TaskCounts>());
        builder.Services.AddSingleton<BgtaskMetrics>();
        return builder;
    }
}
