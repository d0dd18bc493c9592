using System.Net;
using Xunit.Abstractions;

namespace Bgtask.Tests.Cluster;

/// <summary>
/// The tests' balancer over two replicas (on SQLite files of their own: what is checked here is haproxy): per request
/// it alternates even over one keep-alive connection, per connection it keeps a connection on one replica.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HaproxyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ServiceProcess[] _replicas = [new(), new()];

    public async Task InitializeAsync() => await Task.WhenAll(_replicas.Select(replica => replica.StartAsync()));

    public Task DisposeAsync()
    {
        foreach (var replica in _replicas) replica.Dispose();
        return Task.CompletedTask;
    }

    private IEnumerable<KeyValuePair<string, Uri>> Servers =>
        _replicas.Select((replica, i) => KeyValuePair.Create($"n{i + 1}", replica.Address));

    [Fact]
    public async Task PerRequest_TheRequestsOfOneKeepAliveConnectionAlternateBetweenTheReplicas()
    {
        using var haproxy = await Haproxy.StartAsync(Servers, HaproxyBalancing.PerRequest);
        // One connection, kept alive: the client may open no second one.
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = haproxy.Address };
        var connectionsBefore = await haproxy.ClientConnectionsAsync();
        var before = await haproxy.RequestCountsAsync();

        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);

        var after = await haproxy.RequestCountsAsync();
        output.WriteLine(string.Join(", ", after.Select(server => $"{server.Key}: {server.Value - before[server.Key]}")));
        output.WriteLine(haproxy.Output);
        Assert.Equal(1, await haproxy.ClientConnectionsAsync() - connectionsBefore);
        Assert.Equal(10, after["n1"] - before["n1"]);
        Assert.Equal(10, after["n2"] - before["n2"]);
    }

    [Fact]
    public async Task PerConnection_EveryRequestOfAConnectionGoesToOneReplica_TheNextConnectionToTheOther()
    {
        using var haproxy = await Haproxy.StartAsync(Servers, HaproxyBalancing.PerConnection);
        var before = await haproxy.RequestCountsAsync();

        using (var first = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = haproxy.Address })
            for (var i = 0; i < 5; i++)
                Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/health/live")).StatusCode);
        var afterFirst = await haproxy.RequestCountsAsync();
        using (var second = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = haproxy.Address })
            for (var i = 0; i < 5; i++)
                Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/health/live")).StatusCode);
        var afterSecond = await haproxy.RequestCountsAsync();

        // Counted per connection in TCP mode: one connection each, to different replicas.
        var firstServers = afterFirst.Where(server => server.Value > before[server.Key]).Select(server => server.Key).ToList();
        var secondServers = afterSecond.Where(server => server.Value > afterFirst[server.Key]).Select(server => server.Key).ToList();
        Assert.Single(firstServers);
        Assert.Single(secondServers);
        Assert.NotEqual(firstServers[0], secondServers[0]);
    }

    [Fact]
    public async Task ADisabledServer_GetsNoRequestsUntilEnabledAgain()
    {
        using var haproxy = await Haproxy.StartAsync(Servers, HaproxyBalancing.PerRequest);
        await haproxy.SetEnabledAsync("n1", enabled: false);
        var before = await haproxy.RequestCountsAsync();

        for (var i = 0; i < 6; i++)
            Assert.Equal(HttpStatusCode.OK, (await haproxy.Client.GetAsync("/health/live")).StatusCode);

        var after = await haproxy.RequestCountsAsync();
        Assert.Equal((0L, 6L), (after["n1"] - before["n1"], after["n2"] - before["n2"]));
        Assert.StartsWith("MAINT", (await haproxy.ServerStatusAsync())["n1"]);
        await haproxy.SetEnabledAsync("n1", enabled: true);
        await haproxy.WaitUntilUpAsync(["n1"]);
    }
}
