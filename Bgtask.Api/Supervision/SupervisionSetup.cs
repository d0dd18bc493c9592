namespace Bgtask.Api.Supervision;

public static class SupervisionSetup
{
    /// <summary>The reconciler runs once at start, before the supervisor's first sweep.</summary>
    public static IHostApplicationBuilder AddBgtaskSupervision(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<Reconciler>();
        builder.Services.AddHostedService<Supervisor>();
        return builder;
    }
}
