namespace Bgtask.Api.Cluster;

public static class ClusterSetup
{
    public static IHostApplicationBuilder AddBgtaskCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
