using System.Text.Json;
using Bgtask.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.ClientLibrary;

/// <summary>The typed .NET client (<see cref="BgtaskClient"/>) against the service, in memory.</summary>
public sealed class BgtaskClientTests(BgtaskApiFactory<SqliteTarget> api) : ApiTests<SqliteTarget>(api)
{
    private BgtaskClient Bgtask => new(Client);

    private static JsonElement Json(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    [Fact]
    public async Task Client_LaunchesAnInProcessTask_AndFollowsItsEventsToTheEnd()
    {
        var bgtask = Bgtask;
        Assert.Contains(await bgtask.GetTaskTypesAsync(), t => t.Name == "demo.count");

        var task = await bgtask.LaunchAsync(new BgtaskLaunch("demo.count", "inprocess", "client test",
            Config: Json("""{"total":3,"delayMs":20}""")));
        Assert.Equal("demo.count", task.Task);

        var seen = new List<BgtaskEvent>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var e in bgtask.EventsAsync(task.Pid, ct: cts.Token)) seen.Add(e);

        Assert.Equal("snapshot", seen[0].Type);
        var last = seen.Last(e => e.Type == "task").AsTask();
        Assert.Equal(("finished", 3L), (last.Status, last.OpFinished));
        Assert.True(last.IsTerminal);
        Assert.False(await bgtask.IsLiveAsync(task.Pid));
        Assert.Equal("finished", (await bgtask.GetAsync(task.Pid)).Status);
    }

    [Fact]
    public async Task Client_SignalsReadsConsumesAndClears()
    {
        var bgtask = Bgtask;
        var record = await bgtask.CreateRecordAsync("signals", UniqueName());
        await bgtask.SignalAsync(record.Pid, "sleep");
        var custom = await bgtask.SignalAsync(record.Pid, "custom.one");

        var peeked = await bgtask.GetSignalsAsync(record.Pid);
        Assert.Equal(["sleep", "custom.one"], peeked.Items.Select(s => s.Signal));
        Assert.Equal(1, peeked.ConfigVersion);

        Assert.Equal(1, await bgtask.ClearSignalsAsync(record.Pid, [custom.Id]));
        Assert.Equal("sleep", Assert.Single((await bgtask.GetSignalsAsync(record.Pid, consume: true)).Items).Signal);
        Assert.Empty((await bgtask.GetSignalsAsync(record.Pid, consume: true, wait: TimeSpan.FromMilliseconds(50))).Items);
    }

    [Fact]
    public async Task Client_ReplacesConfigWithItsVersion_And412OnAStaleOne()
    {
        var bgtask = Bgtask;
        var record = await bgtask.CreateRecordAsync("config");
        var config = await bgtask.GetConfigAsync(record.Pid);
        Assert.Equal(1, config.Version);

        var replaced = await bgtask.SetConfigAsync(record.Pid, Json("""{"delayMs":5}"""), ifVersion: config.Version);
        Assert.Equal(2, replaced.Version);
        var stale = await Assert.ThrowsAsync<BgtaskException>(() =>
            bgtask.SetConfigAsync(record.Pid, Json("""{"delayMs":6}"""), ifVersion: config.Version));
        Assert.Equal(412, stale.Status);
        Assert.Equal(5, (await bgtask.GetConfigAsync(record.Pid)).Config.GetProperty("delayMs").GetInt32());
    }

    [Fact]
    public async Task Client_WritesAndReadsTheLog_ListsWithPaging_KillsAndRemoves()
    {
        var bgtask = Bgtask;
        var name = UniqueName();
        var records = new List<BgtaskTask>();
        for (var i = 0; i < 3; i++) records.Add(await bgtask.CreateRecordAsync($"record {i}", name));

        await bgtask.AppendLogAsync(records[0].Pid, ["one", "two", "three"]);
        var log = await bgtask.ReadLogAsync(records[0].Pid, after: 1, limit: 1);
        Assert.Equal((2L, "two"), (Assert.Single(log.Items).Seq, log.Items[0].Line));
        Assert.Equal(2, log.Next);

        var first = await bgtask.ListAsync(task: name, limit: 2);
        Assert.Equal([records[2].Pid, records[1].Pid], first.Items.Select(t => t.Pid));
        var second = await bgtask.ListAsync(task: name, limit: 2, after: first.Next);
        Assert.Equal(records[0].Pid, Assert.Single(second.Items).Pid);
        Assert.Null(second.Next);
        Assert.Equal(3, await bgtask.ListAllAsync(task: name).CountAsync());

        Assert.False(await bgtask.KillAsync(records[0].Pid)); // an external record: only marked
        Assert.Equal("stopped", (await bgtask.GetAsync(records[0].Pid)).Status);
        await bgtask.RemoveAsync(records[0].Pid);
        var gone = await Assert.ThrowsAsync<BgtaskException>(() => bgtask.GetAsync(records[0].Pid));
        Assert.Equal(404, gone.Status);
    }
}
