using Bgtask.Api.Runners;

namespace Bgtask.Api.Supervision;

public static class SupervisionSetup
{
    /// <summary>The supervisor runs the reconciler once, before its first sweep.</summary>
    public static IHostApplicationBuilder AddBgtaskSupervision(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Reconciler>();
        builder.Services.AddSingleton<SweepSignal>();
        builder.Services.AddHostedService<Supervisor>();
        return builder;
    }
}
