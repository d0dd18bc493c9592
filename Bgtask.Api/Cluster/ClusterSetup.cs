using Microsoft.Extensions.Options;

namespace Bgtask.Api.Cluster;

public static class ClusterSetup
{
    /// <summary>This node's identity, and in cluster mode (<c>Cluster:Secret</c>) the checks of its storage and its peers.</summary>
    public static IHostApplicationBuilder AddBgtaskCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>();
        builder.Services.AddSingleton<ClusterPeers>();
        return builder;
    }
}
