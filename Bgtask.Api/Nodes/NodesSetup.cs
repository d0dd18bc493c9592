namespace Bgtask.Api.Nodes;

public static class NodesSetup
{
    /// <summary>The node lease (cluster mode: claim, renew, leave) and what <c>GET /api/nodes</c> reads of this node.</summary>
    public static IHostApplicationBuilder AddBgtaskNodes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NodeLease>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeLease>());
        return builder;
    }
}
