using System.Net.Http.Json;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Client;

namespace Bgtask.Tests.Nodes;

/// <summary>
/// Two service nodes in cluster mode (the same <c>Cluster:Secret</c>) as real processes over one MariaDB database: the
/// node-to-node parts (nodes table, notes, kill through the owner, lost nodes) without a Galera cluster in the way.
/// Each node's workers report to their own node. Disposal stops both, and their workers, by pid.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    public const string Secret = "two-nodes-test-secret-0123456789";
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private TwoNodes(string connectionString, string serverVersion)
    {
        ConnectionString = connectionString;
        ServerVersion = serverVersion;
        A = Node("n1");
        B = Node("n2");
    }

    public string ConnectionString { get; }
    public string ServerVersion { get; }
    public ServiceProcess A { get; }
    public ServiceProcess B { get; }

    public static async Task<TwoNodes> StartAsync()
    {
        var database = SharedMariaDb.Instance;
        var nodes = new TwoNodes(database.ConnectionStringFor(database.CreateDatabase()), database.ServerVersion);
        try
        {
            await nodes.A.StartAsync(); // migrates first; the second finds the schema ready
            await nodes.B.StartAsync();
            await nodes.WaitUntilPeersAsync();
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    /// <summary>A node process of this cluster named <paramref name="name"/> (not started).</summary>
    public ServiceProcess Node(string name)
    {
        var port = Loopback.FreePort();
        var settings = BgtaskCluster.NodeSettings(name, port, Secret, ServerVersion);
        settings["Cluster:Lease"] = Lease.ToString();
        settings["Tasks:SweepInterval"] = "00:00:00.250";
        return new ServiceProcess(settings, ConnectionString, port: port);
    }

    public Task WaitUntilPeersAsync() => NodeLists.WaitUntilPeersAsync(Lease, A.Client, B.Client);

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
