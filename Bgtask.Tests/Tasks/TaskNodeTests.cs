using System.Net;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Tasks;

/// <summary>The API as node "node-a" (<c>Cluster:NodeName</c>) with one runner slot, so a second launch queues.</summary>
public sealed class NodeAApiFactory<TTarget> : BgtaskApiFactory<TTarget> where TTarget : IStorageTarget
{
    public const string NodeName = "node-a";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [new("Cluster:NodeName", NodeName), new("Tasks:MaxRunning", "1")];
}

/// <summary>The task resource's <c>node</c> (whose runner it is) and <c>frozen</c>.</summary>
public abstract class TaskNodeTests<TTarget>(NodeAApiFactory<TTarget> api) : IClassFixture<NodeAApiFactory<TTarget>>
    where TTarget : IStorageTarget
{
    private readonly HttpClient _client = api.CreateClient();

    private async Task<TaskView> LaunchAsync() =>
        await _client.LaunchAsync("demo.count", new { total = 1_000_000, delayMs = 50 }, launcher: "inprocess");

    [Fact]
    public async Task Record_HasNoNodeAndIsNotFrozen()
    {
        var record = await _client.NewRecordAsync();
        var started = await _client.MoveAsync(record.Pid, "started");

        Assert.Equal((null, false), (record.Node, record.Frozen));
        Assert.Equal((null, false), (started.Node, started.Frozen));
    }

    [Fact]
    public async Task Launch_ShowsTheNodeWhoseRunnerRunsIt_AndAQueuedOneNoneUntilClaimed()
    {
        var running = await LaunchAsync();
        TaskView? queued = null;
        try
        {
            Assert.Equal((NodeAApiFactory<TTarget>.NodeName, false), (running.Node, running.Frozen));
            Assert.Equal(NodeAApiFactory<TTarget>.NodeName, (await _client.GetTaskAsync(running.Pid)).Node);

            queued = await LaunchAsync();
            Assert.Equal((Statuses.Pending, null), (queued.Status, queued.Node));

            await (await _client.CallAsync(running.Pid, "kill")).ShouldBeAsync(HttpStatusCode.OK);
            var claimed = await _client.WaitForStatusAsync(queued.Pid, Statuses.Running);
            Assert.Equal(NodeAApiFactory<TTarget>.NodeName, claimed.Node);
            // The node stays on the record after the end.
            Assert.Equal(NodeAApiFactory<TTarget>.NodeName, (await _client.GetTaskAsync(running.Pid)).Node);
        }
        finally
        {
            await _client.CallAsync(running.Pid, "kill");
            if (queued is not null) await _client.CallAsync(queued.Pid, "kill");
        }
    }

    [Fact]
    public async Task Resource_WritesNodeFrozenAndExclusive()
    {
        var record = await _client.NewRecordAsync();
        var json = await _client.GetFromJsonAsync<System.Text.Json.JsonElement>(Contract.TaskPath(record.Pid));

        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("node").ValueKind);
        Assert.False(json.GetProperty("frozen").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("exclusive").ValueKind);
    }
}

public sealed class TaskNodeTests_Sqlite(NodeAApiFactory<SqliteTarget> api) : TaskNodeTests<SqliteTarget>(api);

public sealed class TaskNodeTests_MariaDb(NodeAApiFactory<MariaDbTarget> api) : TaskNodeTests<MariaDbTarget>(api);

public sealed class TaskNodeTests_MariaDbMemory(NodeAApiFactory<MariaDbMemoryTarget> api)
    : TaskNodeTests<MariaDbMemoryTarget>(api);
