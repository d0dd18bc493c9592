using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Faults;

namespace Bgtask.Tests.Nodes;

/// <summary>Cluster mode on storage that cannot hold a cluster is refused at start, with a message that says why.</summary>
[Collection(ProcessFaultsCollection.Name)]
public sealed class ClusterStartTests
{
    private static Dictionary<string, string> ClusterSettings(int port) => new()
    {
        ["Cluster:Secret"] = TwoNodes.Secret,
        ["Cluster:NodeName"] = "n1",
        ["Cluster:NodeUrl"] = $"http://127.0.0.1:{port}/",
    };

    [Fact]
    public async Task ClusterMode_OnSqlite_RefusesToStart()
    {
        var port = Loopback.FreePort();
        await using var service = new ServiceProcess(ClusterSettings(port), port: port);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => service.StartAsync());

        Assert.Contains("needs Storage:Provider=MySql", failure.Message);
    }

    [Fact]
    public async Task ClusterMode_OnMemoryTables_RefusesToStart_BeforeTouchingTheTables()
    {
        var database = SharedMariaDb.Instance;
        var name = database.CreateDatabase();
        var port = Loopback.FreePort();
        var settings = ClusterSettings(port);
        settings["Storage:Provider"] = "MySql";
        settings["Storage:MySql:Engine"] = "MEMORY";
        settings["Storage:MySql:ServerVersion"] = database.ServerVersion;
        await using var service = new ServiceProcess(settings, database.ConnectionStringFor(name), port: port);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => service.StartAsync());

        Assert.Contains("needs Storage:MySql:Engine=InnoDB", failure.Message);
        Assert.Contains("not replicated by Galera", failure.Message);
    }

    [Fact]
    public async Task ClusterMode_WithoutANodeUrl_RefusesToStart()
    {
        var settings = ClusterSettings(0);
        settings.Remove("Cluster:NodeUrl");
        settings["Storage:Provider"] = "MySql";
        settings["Storage:MySql:ServerVersion"] = SharedMariaDb.Instance.ServerVersion;
        var database = SharedMariaDb.Instance;
        await using var service = new ServiceProcess(settings, database.ConnectionStringFor(database.CreateDatabase()));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => service.StartAsync());

        Assert.Contains("needs Cluster:NodeUrl", failure.Message);
    }
}
