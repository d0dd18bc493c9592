using System.Net.Http.Json;
using Bgtask.Tests.Client;

namespace Bgtask.Tests.Nodes;

/// <summary>One item of <c>GET /api/nodes</c>, as the contract has it.</summary>
public sealed record NodeView(string Name, string? Url, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, bool Live,
    int Running, int Slots);

public static class NodeLists
{
    public static async Task<List<NodeView>> GetNodesAsync(this HttpClient client) =>
        (await client.GetFromJsonAsync<List<NodeView>>("/api/nodes", Contract.Json))!;

    /// <summary>
    /// Until each node lists <paramref name="nodes"/>.Length nodes live, then a little more: a node learns its peers at
    /// its lease's renewal (a third of the lease), and only from then on tells them what it changes.
    /// </summary>
    public static async Task WaitUntilPeersAsync(TimeSpan lease, params HttpClient[] nodes)
    {
        foreach (var node in nodes)
            await Eventually.TrueAsync(async () => (await node.GetNodesAsync()).Count(n => n.Live) >= nodes.Length,
                "every node is live");
        await Task.Delay(lease / 2);
    }
}
