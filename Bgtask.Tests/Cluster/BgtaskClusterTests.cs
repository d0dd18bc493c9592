using Bgtask.Tests.Client;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;

namespace Bgtask.Tests.Cluster;

/// <summary>
/// Two replicas over the tests' Galera cluster behind a per-request balancer, all real processes: process tasks
/// launched through the balancer run, report through it (so to both replicas) and finish with every operation.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class BgtaskClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private BgtaskCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await BgtaskCluster.StartAsync(await SharedGalera.InstanceAsync());

    public async Task DisposeAsync()
    {
        if (_cluster is null) return;
        output.WriteLine(_cluster.Output);
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task ProcessTasksLaunchedThroughTheBalancer_FinishWithFullProgress()
    {
        var cluster = _cluster!;
        var before = await cluster.Haproxy.RequestCountsAsync();

        var tasks = new List<TaskView>();
        for (var i = 0; i < 4; i++)
            tasks.Add(await cluster.Balancer.LaunchAsync("demo.count", new { total = 10, delayMs = 100 }));

        foreach (var task in tasks)
        {
            var ended = await cluster.Balancer.WaitForStatusAsync(task.Pid, Statuses.Finished, TimeSpan.FromSeconds(60));
            Assert.Equal((10L, 10L), (ended.OpTotal, ended.OpFinished));
        }
        // Launches, reports and reads went through both replicas.
        var after = await cluster.Haproxy.RequestCountsAsync();
        Assert.All(after, server => Assert.True(server.Value > before[server.Key], $"{server.Key} got no request"));
    }
}
