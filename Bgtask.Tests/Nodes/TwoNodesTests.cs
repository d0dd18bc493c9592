using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Events;
using Bgtask.Tests.Faults;
using Bgtask.Tests.Workers;
using Bgtask.Worker.Client;
using Bgtask.Worker.Sdk;
using Xunit.Abstractions;

namespace Bgtask.Tests.Nodes;

/// <summary>
/// Two nodes over one database (cluster mode): each lists both, any node controls a task the other runs (signal,
/// config, kill through the owner), a held read on one is woken by a signal stored through the other, a stream on one
/// shows what the other stored, many reporters at once through both nodes each have every report stored before its
/// answer and in order, a second node with a live name refuses to start, and an in-process task of a killed
/// node ends "node lost" once that node's lease has run out, not before.
/// </summary>
[Collection(ProcessFaultsCollection.Name)]
public sealed class TwoNodesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TwoNodes _nodes = null!;
    private HttpClient A => _nodes.A.Client;
    private HttpClient B => _nodes.B.Client;

    public async Task InitializeAsync() => _nodes = await TwoNodes.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { _nodes.A, _nodes.B })
            if (!string.IsNullOrEmpty(node.Output)) output.WriteLine($"node output:\n{node.Output}");
        await _nodes.DisposeAsync();
    }

    [Fact]
    public async Task Nodes_EachNodeListsBoth_Live_WithTheirUrlsAndSlots()
    {
        foreach (var client in new[] { A, B })
        {
            var nodes = (await client.GetFromJsonAsync<List<NodeView>>("/api/nodes", Contract.Json))!;

            Assert.Equal(["n1", "n2"], nodes.Select(n => n.Name));
            Assert.All(nodes, n => Assert.True(n.Live, $"{n.Name} is live"));
            Assert.Equal(_nodes.A.Address.ToString(), nodes[0].Url);
            Assert.Equal(_nodes.B.Address.ToString(), nodes[1].Url);
            Assert.All(nodes, n => Assert.Equal(64, n.Slots));
        }
    }

    [Fact]
    public async Task ProcessTaskOnA_SignalledConfiguredAndKilledThroughB_ObeysEachAndItsTreeIsGone()
    {
        var task = await A.LaunchAsync("demo.count", new { total = 100_000, delayMs = 20 });
        await A.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "counts on A");
        Assert.Equal("n1", (await B.GetTaskAsync(task.Pid)).Node);
        var osPid = await WorkerProcesses.WaitForAsync(_nodes.A.Address, task.Pid);

        await B.SendSignalAsync(task.Pid, "sleep");
        await B.WaitForAsync(task.Pid, t => t.Status == Statuses.Sleeping, "sleeps at the signal sent through B");
        await B.SendSignalAsync(task.Pid, "continue");
        await B.WaitForAsync(task.Pid, t => t.Status == Statuses.Running, "runs again");

        (await B.PutConfigAsync(task.Pid, new { total = 100_000, delayMs = 10 })).EnsureSuccessStatusCode();
        Assert.Equal(2, (await A.GetConfigAsync(task.Pid)).Version); // a write acknowledged by B is read on A

        var killed = await (await B.CallAsync(task.Pid, "kill")).ReadAsAsync<KillView>(HttpStatusCode.OK);

        Assert.True(killed.Killed, "node A ended the worker it runs");
        var ended = await A.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Stopped, "killed"), (ended.Status, ended.Message));
        await Eventually.TrueAsync(() => Task.FromResult(!ProcessExists(osPid)), "the worker process is gone");
    }

    [Fact]
    public async Task ProcessTaskOnA_FrozenAndThawedThroughB_ByTheNodeThatRunsIt()
    {
        var task = await A.LaunchAsync("demo.count", new { total = 100_000, delayMs = 20 });
        await A.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "counts on A");
        var osPid = await WorkerProcesses.WaitForAsync(_nodes.A.Address, task.Pid);

        var frozen = await (await B.CallAsync(task.Pid, "freeze")).ReadAsAsync<TaskView>(HttpStatusCode.OK);

        Assert.True(frozen.Frozen);
        Assert.Equal(Statuses.Sleeping, frozen.Status);
        Assert.Equal('T', ProcessState(osPid));
        var thawed = await (await B.CallAsync(task.Pid, "thaw")).ReadAsAsync<TaskView>(HttpStatusCode.OK);
        Assert.False(thawed.Frozen);
        Assert.Equal(Statuses.Running, thawed.Status);
        Assert.NotEqual('T', ProcessState(osPid));
        Assert.Contains("frozen", (await B.ReadLogAsync(task.Pid)).Items.Select(l => l.Line));

        await B.CallAsync(task.Pid, "kill");
    }

    /// <summary>The state letter of /proc/{pid}/stat: T while stopped (SIGSTOP).</summary>
    private static char ProcessState(int osPid)
    {
        var stat = File.ReadAllText($"/proc/{osPid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    [Fact]
    public async Task ManyReportersAtOnceThroughBothNodes_EachReportIsStoredBeforeItsAnswer_InTheOrderSent()
    {
        // Reports are written through in cluster mode, concurrent ones sharing a commit: each answer must still mean
        // "stored", whatever node is asked next, and a task's reports stay in the order its reporter sent them.
        var records = new List<TaskView>();
        for (var i = 0; i < 12; i++) records.Add(await A.RecordInStatusAsync(Statuses.Running));

        await Task.WhenAll(records.Select((record, i) => Task.Run(async () =>
        {
            for (var n = 1; n <= 25; n++)
            {
                var (through, other) = (n + i) % 2 == 0 ? (A, B) : (B, A);
                var answered = await through.ReportStateAsync(record.Pid, new StateReport(1000, n, Memory: n * 1024L));
                Assert.Equal(n, answered.OpFinished);
                Assert.Equal(n, (await other.GetTaskAsync(record.Pid)).OpFinished);
            }
        })));

        foreach (var record in records)
        {
            var stored = await B.GetTaskAsync(record.Pid);
            Assert.Equal((25L, 1000L, 25 * 1024L), (stored.OpFinished, stored.OpTotal, stored.Memory));
            var history = await (await A.GetAsync($"{Contract.TaskPath(record.Pid)}/history")).ReadAsAsync<History.HistoryView>();
            Assert.NotEmpty(history.Points);
            Assert.Equal(history.Points.OrderBy(p => p.At).Select(p => p.OpFinished), history.Points.Select(p => p.OpFinished).Order());
        }
    }

    [Fact]
    public async Task HeldReadOnA_IsWokenBySignalStoredThroughB()
    {
        var record = await A.NewRecordAsync();
        var read = A.GetAsync($"/api/tasks/{record.Pid}/signals?clean=true&wait=30");
        await Task.Delay(300); // the read is held on A

        await B.SendSignalAsync(record.Pid, "custom.wake");

        var clock = Stopwatch.StartNew();
        var signals = await (await read).ReadAsAsync<List<SignalView>>(HttpStatusCode.OK);
        Assert.Equal("custom.wake", Assert.Single(signals).Signal);
        output.WriteLine($"answered {clock.ElapsedMilliseconds} ms after the send returned");
    }

    [Fact]
    public async Task WorkerChannelOnA_GetsTheSignalStoredThroughB_AndItsReportsAreReadOnB()
    {
        var record = await A.RecordInStatusAsync(Statuses.Running);
        using var http = BgtaskHttp.Create(_nodes.A.Address, token: null, apiKey: null);
        var channel = new SocketTaskChannel(http, record.Pid, new RetryWindow());
        await channel.ReadSignalsAsync(TimeSpan.FromSeconds(5), 1, CancellationToken.None);
        Assert.True(channel.IsChannelOpen);

        await B.SendSignalAsync(record.Pid, "custom.wake");

        var batch = await channel.ReadSignalsAsync(TimeSpan.FromSeconds(30), 1, CancellationToken.None);
        Assert.Equal(["custom.wake"], batch.Signals);
        Assert.True(channel.IsChannelOpen, "delivered over the channel, not by the HTTP fallback");
        await channel.ReportAsync(new ProgressReport(10, 3, false, 0, 0), retry: false, CancellationToken.None);
        Assert.Equal(3, (await B.GetTaskAsync(record.Pid)).OpFinished); // written through by A before its ack
        Assert.Empty((await B.ReadSignalsAsync(record.Pid, clean: true)).Signals);
    }

    [Fact]
    public async Task EventStreamOnB_ShowsATaskLaunchedThroughA_FromStartToEnd()
    {
        await using var events = await EventReader.OpenAsync(B, "/api/tasks/events");
        Assert.Equal(HttpStatusCode.OK, events.Response.StatusCode);

        var task = await A.LaunchAsync("demo.count", new { total = 5, delayMs = 50 }, launcher: "inprocess");

        var seen = new List<TaskView>();
        while (seen.LastOrDefault()?.Status != Statuses.Finished)
        {
            var e = await events.NextOfAsync("task");
            var view = e.As<TaskView>();
            if (view.Pid == task.Pid) seen.Add(view);
        }
        Assert.Equal(5, seen[^1].OpFinished);
        Assert.Equal("n1", seen[^1].Node);
    }

    [Fact]
    public async Task SecondNodeWithTheNameOfALiveNode_RefusesToStart_NamingTheHolder()
    {
        await using var twin = _nodes.Node("n1");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => twin.StartAsync());

        Assert.True(failure.Message.Contains("Another live node is named 'n1'"), $"the twin's failure: {failure.Message}");
    }

    [Fact]
    public async Task InProcessTaskOfAKilledNode_EndsNodeLost_OnceItsLeaseRanOut_AndTheNodeRejoinsWhenRestarted()
    {
        var task = await A.LaunchAsync("demo.count", new { total = 100_000, delayMs = 20 }, launcher: "inprocess");
        await A.WaitForAsync(task.Pid, t => t.Status == Statuses.Running, "runs in node A");

        var killedAt = DateTimeOffset.UtcNow;
        _nodes.A.Kill();

        var lost = await B.WaitForAsync(task.Pid, t => t.Status != Statuses.Running, "is ended by node B",
            TimeSpan.FromSeconds(30));
        Assert.Equal((Statuses.Error, "node lost"), (lost.Status, lost.Message));
        // The lease counts from A's last renewal, at most a third of a lease before the kill.
        Assert.True(lost.FinishedAt >= killedAt + TwoNodes.Lease * 2 / 3,
            $"ended at {lost.FinishedAt:O}, {(lost.FinishedAt - killedAt)?.TotalSeconds:0.0} s after the kill, within the lease");
        var listed = (await B.GetFromJsonAsync<List<NodeView>>("/api/nodes", Contract.Json))!;
        Assert.False(listed.Single(n => n.Name == "n1").Live);

        await _nodes.A.StartAsync();
        await Eventually.TrueAsync(async () =>
            (await B.GetFromJsonAsync<List<NodeView>>("/api/nodes", Contract.Json))!.Single(n => n.Name == "n1").Live,
            "node A is live again");
    }

    [Fact]
    public async Task NodeToNodeRoutes_RefuseApiClientsAndWorkers_AndTheSecretOpensNothingElse()
    {
        var record = await A.NewRecordAsync();
        using (var notes = new HttpRequestMessage(HttpMethod.Post, "/internal/nodes/notes")
               { Content = Contract.JsonText("""{"from":"x","notes":[]}""") })
            // A loopback client is Admin on the API, and still not a node.
            Assert.Equal(HttpStatusCode.Forbidden, (await A.SendAsync(notes)).StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/internal/nodes/notes")
        { Content = Contract.JsonText("""{"from":"x","notes":[]}""") };
        wrong.Headers.TryAddWithoutValidation("Authorization", "BgtaskNode not-the-secret-of-this-cluster");
        Assert.Equal(HttpStatusCode.Unauthorized, (await A.SendAsync(wrong)).StatusCode);

        using var node = new HttpRequestMessage(HttpMethod.Get, $"/api/tasks/{record.Pid}");
        node.Headers.TryAddWithoutValidation("Authorization", $"BgtaskNode {TwoNodes.Secret}");
        Assert.Equal(HttpStatusCode.Forbidden, (await A.SendAsync(node)).StatusCode);

        using var right = new HttpRequestMessage(HttpMethod.Post, "/internal/nodes/notes")
        { Content = Contract.JsonText("""{"from":"x","notes":[]}""") };
        right.Headers.TryAddWithoutValidation("Authorization", $"BgtaskNode {TwoNodes.Secret}");
        Assert.Equal(HttpStatusCode.NoContent, (await A.SendAsync(right)).StatusCode);
    }

    private static bool ProcessExists(int osPid) => Directory.Exists($"/proc/{osPid}");
}
