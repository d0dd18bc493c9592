using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Events;
using Bgtask.Tests.Nodes;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;

namespace Bgtask.Tests.Cluster;

/// <summary>
/// A node dies and nothing is lost: a replica SIGKILLed mid-run (its workers go on through the balancer to the
/// survivor, its in-process task ends "node lost" once its lease has run out, its duties go on, it rejoins and adopts
/// what is left), and a Galera node killed mid-run (the replicas fail over to the next; tasks finish).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeFailureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private BgtaskCluster? _cluster;
    private BgtaskCluster Cluster => _cluster!;

    public async Task InitializeAsync()
    {
        _cluster = await BgtaskCluster.StartAsync(await SharedGalera.InstanceAsync(), new BgtaskClusterOptions
        {
            Settings = new Dictionary<string, string>
            {
                ["Cluster:Lease"] = Lease.ToString(),
                ["Tasks:SweepInterval"] = "00:00:00.250",
                ["Tasks:TimeoutGrace"] = "00:00:02",
            },
            // Node B has two slots: its queue must keep draining while A is down.
            ReplicaSettings = node => node == 2 ? [KeyValuePair.Create("Tasks:MaxRunning", "2")] : [],
        });
        await NodeLists.WaitUntilPeersAsync(Lease, Cluster.Node(1), Cluster.Node(2));
    }

    public async Task DisposeAsync()
    {
        if (_cluster is null) return;
        output.WriteLine(_cluster.Output);
        await _cluster.DisposeAsync();
        await (await SharedGalera.InstanceAsync()).RestartKilledAsync();
    }

    [Fact]
    public async Task ReplicaKilled_ItsWorkersFinishThroughTheOther_ItsInProcessTaskIsLostAfterTheLease_AndItRejoins()
    {
        var (a, b) = (Cluster.Node(1), Cluster.Node(2));
        var counting = new List<TaskView>();
        for (var i = 0; i < 5; i++) counting.Add(await a.LaunchAsync("demo.count", new { total = 40, delayMs = 150 }));
        var inProcess = await a.LaunchAsync("demo.count", new { total = 100_000, delayMs = 20 }, launcher: "inprocess");
        var toKill = await a.LaunchAsync("demo.count", new { total = 100_000, delayMs = 20 });
        var timed = await a.LaunchAsync("demo.count", new { total = 100_000, delayMs = 20 }, timeoutSeconds: 4);
        foreach (var task in counting.Append(inProcess).Append(toKill).Append(timed))
            await b.WaitForAsync(task.Pid, t => t.Status == Statuses.Running, "runs on node A");
        var toKillOsPid = await WorkerProcesses.WaitForAsync(Cluster.BalancerAddress, toKill.Pid);
        await using var events = await EventReader.OpenAsync(b, $"/api/tasks/{counting[0].Pid}/events");

        var killedAt = DateTimeOffset.UtcNow;
        Cluster.Kill(1);

        // Control of A's tasks goes on through B: a kill, and the time limit (B's supervisor).
        var killed = await (await b.CallAsync(toKill.Pid, "kill")).ReadAsAsync<KillView>(HttpStatusCode.OK);
        Assert.True(killed.Killed, "B ended the worker on its host");
        // A's workers report through the balancer: the survivor takes them, to the end.
        foreach (var task in counting)
        {
            var ended = await b.WaitForStatusAsync(task.Pid, Statuses.Finished, TimeSpan.FromSeconds(90));
            Assert.Equal((40L, 40L), (ended.OpTotal, ended.OpFinished));
        }
        Assert.Equal("time limit", (await b.WaitForStatusAsync(timed.Pid, Statuses.Stopped, TimeSpan.FromSeconds(60))).Message);
        var lost = await b.WaitForAsync(inProcess.Pid, t => t.Status != Statuses.Running, "is ended by B", TimeSpan.FromSeconds(30));
        Assert.Equal((Statuses.Error, "node lost"), (lost.Status, lost.Message));
        Assert.True(lost.FinishedAt >= killedAt + Lease * 2 / 3, $"ended {(lost.FinishedAt - killedAt)?.TotalSeconds:0.0} s after the kill");
        // B's stream showed A's task from start to end.
        TaskView last;
        do last = (await events.NextOfAsync("task")).As<TaskView>(); while (last.Status != Statuses.Finished);
        Assert.Equal(40, last.OpFinished);
        // The queue drains on B alone (two slots there).
        var queued = new List<TaskView>();
        for (var i = 0; i < 5; i++) queued.Add(await b.LaunchAsync("demo.count", new { total = 5, delayMs = 100 }, launcher: "inprocess"));
        foreach (var task in queued) Assert.Equal(Statuses.Finished, (await b.WaitForStatusAsync(task.Pid, Statuses.Finished)).Status);

        await Cluster.StartAsync(1);

        await Eventually.TrueAsync(async () => (await b.GetNodesAsync()).Single(n => n.Name == "n1").Live, "A is live again");
        Assert.False(Directory.Exists($"/proc/{toKillOsPid}"), "the killed task's worker is gone");
        Assert.Equal(0, (await a.GetNodesAsync()).Single(n => n.Name == "n1").Running); // nothing of A is left live
    }

    [Fact]
    public async Task GaleraNodeKilledMidRun_TasksFinishWithEveryOperation_AndNoClientSeesA500()
    {
        var galera = await SharedGalera.InstanceAsync();
        var tasks = new List<TaskView>();
        for (var i = 0; i < 4; i++) tasks.Add(await Cluster.Balancer.LaunchAsync("demo.count", new { total = 30, delayMs = 150 }));
        foreach (var task in tasks) await Cluster.Balancer.WaitForAsync(task.Pid, t => t.OpFinished > 0, "counts");
        var statuses = new List<HttpStatusCode>();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await Cluster.Balancer.GetAsync($"/api/tasks/{tasks[0].Pid}");
                    statuses.Add(response.StatusCode);
                }
                catch (HttpRequestException) { }
                await Task.Delay(20);
            }
        });

        galera.Kill(1); // the node every replica writes through (FailOver): they move to the next

        foreach (var task in tasks)
        {
            var ended = await Cluster.Balancer.WaitForStatusAsync(task.Pid, Statuses.Finished, TimeSpan.FromSeconds(90));
            Assert.Equal((30L, 30L), (ended.OpTotal, ended.OpFinished));
        }
        stop.Cancel();
        await reader;
        output.WriteLine($"reads during the failover: {statuses.Count}, of them 503: {statuses.Count(s => s == HttpStatusCode.ServiceUnavailable)}");
        Assert.DoesNotContain(statuses, s => (int)s >= 500 && s != HttpStatusCode.ServiceUnavailable);
        await galera.RestartAsync(1);
    }
}
