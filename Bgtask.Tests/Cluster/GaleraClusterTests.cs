using Bgtask.Tests.Client;
using MySqlConnector;

namespace Bgtask.Tests.Cluster;

/// <summary>The tests' Galera cluster itself: three nodes that replicate, and a node that dies and comes back.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GaleraClusterTests
{
    [Fact]
    public async Task ARowWrittenOnNodeOne_IsReadOnNodeThree()
    {
        var cluster = await SharedGalera.InstanceAsync();
        var database = cluster.CreateDatabase();

        Assert.Equal(3, cluster.ClusterSize);
        await using (var node1 = await OpenAsync(cluster.ConnectionStringForNode(1, database)))
        {
            await ExecuteAsync(node1, "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB");
            await ExecuteAsync(node1, "INSERT INTO t VALUES (1, 'written on 1')");
        }
        await using var node3 = await OpenAsync(cluster.ConnectionStringForNode(3, database));
        // A causal read: it waits until node 3 has applied what the cluster committed before it.
        await ExecuteAsync(node3, "SET SESSION wsrep_sync_wait=1");

        Assert.Equal("written on 1", await ScalarAsync(node3, "SELECT v FROM t WHERE id = 1"));
        cluster.DropDatabase(database);
    }

    [Fact]
    public async Task AKilledNode_RejoinsWhenRestarted()
    {
        var cluster = await SharedGalera.InstanceAsync();
        var database = cluster.CreateDatabase();
        try
        {
            cluster.Kill(2);
            // Each look runs the mariadb client: not too often.
            await Eventually.TrueAsync(async () => cluster.ClusterSize == 2 || await Task.Delay(200).ContinueWith(_ => false),
                "the cluster counts two nodes");
            // Written while node 2 is away: it must catch up when it rejoins.
            await using (var connection = await OpenAsync(cluster.ConnectionStringFor(database)))
            {
                await ExecuteAsync(connection, "CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB");
                await ExecuteAsync(connection, "INSERT INTO t VALUES (7)");
            }

            await cluster.RestartAsync(2);

            Assert.Equal(3, cluster.ClusterSize);
            await using var node2 = await OpenAsync(cluster.ConnectionStringForNode(2, database));
            await ExecuteAsync(node2, "SET SESSION wsrep_sync_wait=1");
            Assert.Equal(7, Convert.ToInt32(await ScalarAsync(node2, "SELECT id FROM t")));
        }
        finally
        {
            await cluster.RestartKilledAsync();
            cluster.DropDatabase(database);
        }
    }

    private static async Task<MySqlConnection> OpenAsync(string connectionString)
    {
        var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(MySqlConnection connection, string sql)
    {
        await using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
