using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.WorkerChannel;

/// <summary>
/// The worker channel (<c>GET /api/tasks/{pid}/channel</c>, a WebSocket) as the contract states it: reports applied
/// as <c>PUT state</c> applies them and acknowledged in order; signals and config versions pushed as the held read
/// answers them, each signal delivered once, and handed back to the queue when the channel closes before the worker
/// has it.
/// </summary>
public abstract class ChannelTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private Task<ChannelSocket> OpenAsync(long pid) => ChannelSocket.OpenAsync(Factory.Server, pid);

    private static long Delivery(JsonElement m) => m.GetProperty("delivery").GetInt64();

    private static string[] SignalNames(JsonElement m) =>
        m.GetProperty("signals").EnumerateArray().Select(s => s.GetProperty("signal").GetString()!).ToArray();

    [Fact]
    public async Task Open_FirstSendsTheConfigVersion_WithNoSignals()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await using var channel = await OpenAsync(task.Pid);

        var first = await channel.NextOfTypeAsync("signals");

        Assert.Empty(SignalNames(first));
        Assert.Equal(1, first.GetProperty("configVersion").GetInt32());
    }

    [Fact]
    public async Task Report_OverTheChannel_IsAcknowledgedAndShowsInGet()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await using var channel = await OpenAsync(task.Pid);

        var first = await channel.ReportAsync(new { opTotal = 10, opFinished = 3 });
        var second = await channel.ReportAsync(new { opTotal = 10, opFinished = 7, memory = 1024 });

        var acks = new[] { await channel.NextOfTypeAsync("ack"), await channel.NextOfTypeAsync("ack") };
        Assert.Equal([first, second], acks.Select(a => a.GetProperty("seq").GetInt64()));
        Assert.All(acks, a => Assert.Equal(200, a.GetProperty("status").GetInt32()));
        var seen = await Client.GetTaskAsync(task.Pid);
        Assert.Equal((10L, 7L, 1024L), (seen.OpTotal, seen.OpFinished, seen.Memory));
        Assert.NotNull(seen.HeartbeatAt);
    }

    [Fact]
    public async Task Report_BreakingTheStateRules_IsAcknowledgedWith400AndChangesNothing()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await using var channel = await OpenAsync(task.Pid);

        await channel.ReportAsync(new { opTotal = 5, opFinished = 9 });

        var ack = await channel.NextOfTypeAsync("ack");
        Assert.Equal(400, ack.GetProperty("status").GetInt32());
        Assert.True(ack.GetProperty("problem").GetProperty("errors").TryGetProperty("opFinished", out _));
        Assert.Equal(0, (await Client.GetTaskAsync(task.Pid)).OpFinished);
    }

    [Fact]
    public async Task SignalSentWhileOpen_ArrivesOverTheChannelOnce_AndTheSignalsReadNeverReturnsIt()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await using var channel = await OpenAsync(task.Pid);
        await channel.NextOfTypeAsync("signals");

        var sent = await Client.SendSignalAsync(task.Pid, "sleep");

        var delivery = await channel.NextOfTypeAsync("signals");
        Assert.Equal(["sleep"], SignalNames(delivery));
        Assert.Equal(sent.Id, delivery.GetProperty("signals")[0].GetProperty("id").GetInt64());
        // Claimed by the channel: invisible to the signals read before the worker answers, gone after.
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid, clean: true)).Signals);
        await channel.ReceivedAsync(Delivery(delivery));
        await Client.SendSignalAsync(task.Pid, "continue");
        Assert.Equal(["continue"], SignalNames(await channel.NextOfTypeAsync("signals")));
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid, clean: false)).Signals);
    }

    [Fact]
    public async Task ConfigChange_ArrivesOverTheChannelWithTheNewVersion()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await using var channel = await OpenAsync(task.Pid);
        await channel.NextOfTypeAsync("signals");

        await (await Client.PutConfigAsync(task.Pid, new { total = 5 })).ShouldBeAsync(HttpStatusCode.OK);

        var change = await channel.NextOfTypeAsync("signals");
        Assert.Empty(SignalNames(change));
        Assert.Equal(2, change.GetProperty("configVersion").GetInt32());
    }

    [Fact]
    public async Task ChannelClosedBeforeTheWorkerHasASignal_HandsItBackToTheSignalsRead()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var channel = await OpenAsync(task.Pid);
        await channel.NextOfTypeAsync("signals");
        await Client.SendSignalAsync(task.Pid, "stop");
        Assert.Equal(["stop"], SignalNames(await channel.NextOfTypeAsync("signals")));

        await channel.DisposeAsync(); // no `received`

        await Eventually.TrueAsync(async () => (await Client.ReadSignalsAsync(task.Pid)).Signals.Count == 1,
            "the unacknowledged signal to be back in the queue");
        var read = await Client.ReadSignalsAsync(task.Pid, clean: true);
        Assert.Equal(["stop"], read.Signals.Select(s => s.Signal));
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid, clean: true)).Signals);
    }

    [Fact]
    public async Task TaskEnds_TheChannelSaysSoAndCloses()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await using var channel = await OpenAsync(task.Pid);
        await channel.NextOfTypeAsync("signals");

        await Client.CallAsync(task.Pid, "kill");

        var ended = await channel.NextOfTypeAsync("ended");
        Assert.Equal("stopped", ended.GetProperty("status").GetString());
        Assert.Null(await channel.NextAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, channel.CloseStatus);
    }

    [Fact]
    public async Task UnknownPid_Returns404BeforeTheUpgrade()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(long.MaxValue - 7));
        Assert.Contains("404", e.Message);
    }

    [Fact]
    public async Task PlainGet_Returns400ProblemDetails()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var problem = await (await Client.GetAsync($"/api/tasks/{task.Pid}/channel")).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("WebSocket", problem.Detail);
    }

    [Fact]
    public async Task MessageThatIsNotTheContracts_ClosesTheChannel()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await using var channel = await OpenAsync(task.Pid);

        await channel.SendTextAsync("""{"type":"launch"}""");

        while (await channel.NextAsync() is not null) { }
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, channel.CloseStatus);
    }
}

public sealed class SqliteChannelTests(BgtaskApiFactory<SqliteTarget> api) : ChannelTests<SqliteTarget>(api);

public sealed class MariaDbChannelTests(BgtaskApiFactory<MariaDbTarget> api) : ChannelTests<MariaDbTarget>(api);

public sealed class MariaDbMemoryChannelTests(BgtaskApiFactory<MariaDbMemoryTarget> api) : ChannelTests<MariaDbMemoryTarget>(api);
