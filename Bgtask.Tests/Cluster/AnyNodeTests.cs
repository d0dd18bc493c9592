using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Nodes;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;

namespace Bgtask.Tests.Cluster;

/// <summary>
/// Two replicas over the tests' Galera cluster, each writing through a Galera node of its own (so writes to one row
/// through the two meet Galera's certification, and a read through one must wait for the other's writes), behind a
/// per-request balancer that the workers report through: any node answers and controls every task.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AnyNodeTests(AnyNodeTests.Fixture fixture, ITestOutputHelper output)
    : IClassFixture<AnyNodeTests.Fixture>, IDisposable
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    public sealed class Fixture : IAsyncLifetime
    {
        public BgtaskCluster Cluster { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Cluster = await BgtaskCluster.StartAsync(await SharedGalera.InstanceAsync(), new BgtaskClusterOptions
            {
                OwnDatabaseNode = true,
                Settings = new Dictionary<string, string>
                {
                    ["Cluster:Lease"] = Lease.ToString(),
                    ["Tasks:SweepInterval"] = "00:00:00.250",
                },
            });
            await NodeLists.WaitUntilPeersAsync(Lease, Cluster.Node(1), Cluster.Node(2));
        }

        public async Task DisposeAsync() => await Cluster.DisposeAsync();
    }

    private BgtaskCluster Cluster => fixture.Cluster;
    private HttpClient A => Cluster.Node(1);
    private HttpClient B => Cluster.Node(2);

    public void Dispose() => output.WriteLine(Cluster.Output);

    [Fact]
    public async Task LaunchesThroughTheBalancer_RunOnBothNodes_AndEveryNodeListsBoth()
    {
        var tasks = new List<TaskView>();
        for (var i = 0; i < 6; i++)
            tasks.Add(await Cluster.Balancer.LaunchAsync("demo.count", new { total = 3, delayMs = 20 }, launcher: "inprocess"));

        var ended = new List<TaskView>();
        foreach (var task in tasks) ended.Add(await Cluster.Balancer.WaitForStatusAsync(task.Pid, Statuses.Finished));
        Assert.Equal(["n1", "n2"], ended.Select(t => t.Node).Distinct().Order());
        Assert.All(ended, t => Assert.Equal(3, t.OpFinished));
        Assert.Equal(["n1", "n2"], (await B.GetNodesAsync()).Where(n => n.Live).Select(n => n.Name));
    }

    [Fact]
    public async Task WorkerOnA_SignalledConfiguredAndKilledThroughB_ObeysEach_AndItsTreeIsGone()
    {
        var task = await A.LaunchAsync("demo.count", new { total = 100_000, delayMs = 20 });
        await B.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "counts");
        Assert.Equal("n1", task.Node ?? (await B.GetTaskAsync(task.Pid)).Node);
        var osPid = await WorkerProcesses.WaitForAsync(Cluster.BalancerAddress, task.Pid);

        await B.SendSignalAsync(task.Pid, "sleep");
        await B.WaitForAsync(task.Pid, t => t.Status == Statuses.Sleeping, "sleeps at the signal sent through B");
        await B.SendSignalAsync(task.Pid, "continue");
        await A.WaitForAsync(task.Pid, t => t.Status == Statuses.Running, "runs again");
        (await B.PutConfigAsync(task.Pid, new { total = 100_000, delayMs = 10 })).EnsureSuccessStatusCode();
        Assert.Equal(2, (await A.GetConfigAsync(task.Pid)).Version); // B's acknowledged write, read through A

        var killed = await (await B.CallAsync(task.Pid, "kill")).ReadAsAsync<KillView>(HttpStatusCode.OK);

        Assert.True(killed.Killed, "the worker was live and was ended");
        var ended = await A.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Stopped, "killed"), (ended.Status, ended.Message));
        await Eventually.TrueAsync(() => Task.FromResult(!Directory.Exists($"/proc/{osPid}")), "the worker process is gone");
    }

    [Fact]
    public async Task HeldReadOnA_IsWokenBySignalStoredThroughB()
    {
        var record = await A.NewRecordAsync();
        var read = A.GetAsync($"/api/tasks/{record.Pid}/signals?clean=true&wait=30");
        await Task.Delay(300);

        var clock = Stopwatch.StartNew();
        await B.SendSignalAsync(record.Pid, "custom.wake");

        var signals = await (await read).ReadAsAsync<List<SignalView>>(HttpStatusCode.OK);
        Assert.Equal("custom.wake", Assert.Single(signals).Signal);
        output.WriteLine($"the held read on A answered {clock.ElapsedMilliseconds} ms after B was sent the signal");
    }

    [Fact]
    public async Task TimeLimit_WithTwoNodesUp_IsActedOnOnce()
    {
        var task = await Cluster.Balancer.LaunchAsync("demo.count", new { total = 100_000, delayMs = 20 }, timeoutSeconds: 1);

        var ended = await Cluster.Balancer.WaitForStatusAsync(task.Pid, Statuses.Stopped, TimeSpan.FromSeconds(60));

        Assert.Equal("time limit", ended.Message);
        await Task.Delay(Lease); // both supervisors have swept many times since
        var log = (await B.ReadLogAsync(task.Pid)).Items.Select(l => l.Line).ToList();
        Assert.Single(log, l => l == "time limit: stop sent");
    }

    [Fact]
    public async Task FourReadersOnTwoNodes_ConsumeOneTasksSignals_EachExactlyOnce_WithNoServerError()
    {
        const int Count = 200;
        var record = await A.NewRecordAsync();
        var received = new ConcurrentBag<long>();
        var failures = new ConcurrentBag<HttpStatusCode>();
        using var done = new CancellationTokenSource();

        async Task ReadAsync(HttpClient client)
        {
            while (!done.IsCancellationRequested || received.Count < Count)
            {
                using var response = await client.GetAsync($"/api/tasks/{record.Pid}/signals?clean=true&wait=1");
                if (!response.IsSuccessStatusCode) { failures.Add(response.StatusCode); continue; }
                foreach (var s in (await response.Content.ReadFromJsonAsync<List<SignalView>>(Contract.Json))!) received.Add(s.Id);
                if (done.IsCancellationRequested && received.Count >= Count) return;
            }
        }

        var readers = new[] { A, A, B, B }.Select(c => Task.Run(() => ReadAsync(c))).ToArray();
        var sent = new List<long>();
        for (var i = 0; i < Count; i++)
        {
            using var response = await Cluster.Balancer.PostSignalAsync(record.Pid, $"custom.n{i}");
            if (!response.IsSuccessStatusCode) { failures.Add(response.StatusCode); continue; }
            sent.Add((await response.Content.ReadFromJsonAsync<SignalView>(Contract.Json))!.Id);
        }
        done.Cancel();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60)); // a lost signal would keep them reading

        Assert.Empty(failures);
        Assert.Equal(sent.Order(), received.Order());
    }

    [Fact]
    public async Task ReportsSpreadOverTwoNodes_ProgressNeverGoesBackwards_AndTheEndKeepsTheLastReport()
    {
        const int Total = 300;
        var record = await A.NewRecordAsync();
        await Cluster.Balancer.MoveAsync(record.Pid, "started");
        var seen = new List<long>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
                foreach (var client in new[] { A, B }) seen.Add((await client.GetTaskAsync(record.Pid)).OpFinished);
        });

        // Per-request balancing: consecutive reports of the one "worker" land on alternate nodes.
        for (var done = 1; done <= Total; done++)
            (await Cluster.Balancer.PutStateAsync(record.Pid, new StateReport(Total, done))).EnsureSuccessStatusCode();
        var ended = await Cluster.Balancer.MoveAsync(record.Pid, "finished");
        stop.Cancel();
        await watcher;

        Assert.Equal((Statuses.Finished, (long)Total), (ended.Status, ended.OpFinished));
        Assert.Equal(Total, (await A.GetTaskAsync(record.Pid)).OpFinished);
        Assert.Equal(Total, (await B.GetTaskAsync(record.Pid)).OpFinished);
        for (var i = 1; i < seen.Count; i++)
            Assert.True(seen[i] >= seen[i - 1], $"progress went from {seen[i - 1]} back to {seen[i]}");
    }
}
