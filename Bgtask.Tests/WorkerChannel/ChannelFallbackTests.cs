using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Worker.Client;
using Bgtask.Worker.Sdk;

namespace Bgtask.Tests.WorkerChannel;

/// <summary>
/// The worker's side (<see cref="SocketTaskChannel"/>): reports and signals over the channel while it is open, and
/// when the connection is lost, the HTTP routes at once, with no report or signal lost and no signal seen twice.
/// </summary>
public sealed class ChannelFallbackTests(LoopbackApiFactory<SqliteTarget> api) : IClassFixture<LoopbackApiFactory<SqliteTarget>>
{
    private readonly HttpClient _client = api.CreateClient();

    /// <summary>One call through the relay; a pooled connection the cut left dead fails once, as it would for a worker.</summary>
    private static async Task<T> RetriedAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (HttpRequestException) when (attempt < 5)
            {
            }
        }
    }

    [Fact]
    public async Task Open_ReportsAndSignalsGoOverTheChannel()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        using var http = BgtaskHttp.Create(api.ServerAddress, token: null, apiKey: null);
        var channel = new SocketTaskChannel(http, task.Pid, new RetryWindow());

        Assert.Empty((await channel.ReadSignalsAsync(TimeSpan.FromSeconds(5), 1, CancellationToken.None)).Signals);
        Assert.True(channel.IsChannelOpen);
        await channel.ReportAsync(new ProgressReport(10, 4, false, 0, 0), retry: false, CancellationToken.None);
        Assert.Equal(4, (await _client.GetTaskAsync(task.Pid)).OpFinished);

        await _client.SendSignalAsync(task.Pid, "sleep");
        var batch = await channel.ReadSignalsAsync(TimeSpan.FromSeconds(30), 1, CancellationToken.None);
        Assert.Equal(["sleep"], batch.Signals);
        Assert.True(channel.IsChannelOpen);
        await Eventually.TrueAsync(async () => (await _client.ReadSignalsAsync(task.Pid)).Signals.Count == 0,
            "the delivered signal to be gone from the queue");
    }

    [Fact]
    public async Task ConnectionLost_TheWorkerFallsBackToHttp_WithNoReportLostAndNoSignalSeenTwice()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        await using var relay = new CuttableRelay(api.ServerAddress);
        using var http = BgtaskHttp.Create(relay.Address, token: null, apiKey: null);
        var channel = new SocketTaskChannel(http, task.Pid, new RetryWindow());
        await channel.ReadSignalsAsync(TimeSpan.FromSeconds(5), 1, CancellationToken.None);
        Assert.True(channel.IsChannelOpen);

        // Sent down (claimed by the channel: the queue shows nothing), then the connection goes.
        await _client.SendSignalAsync(task.Pid, "sleep");
        await Eventually.TrueAsync(async () => (await _client.ReadSignalsAsync(task.Pid)).Signals.Count == 0,
            "the signal to be sent down the channel");
        relay.Cut();

        // The task reads on, whichever way: it sees the signal once, and the queue ends empty (taken, not stranded).
        var seen = new List<string>();
        await Eventually.TrueAsync(async () =>
        {
            var batch = await RetriedAsync(() => channel.ReadSignalsAsync(TimeSpan.FromMilliseconds(200), 1, CancellationToken.None));
            seen.AddRange(batch.Signals);
            return seen.Count > 0 &&
                   (await _client.ReadSignalsAsync(task.Pid)).Signals.Count == 0;
        }, "the signal to reach the task and leave the queue");
        for (var i = 0; i < 3; i++)
            seen.AddRange((await channel.ReadSignalsAsync(TimeSpan.FromMilliseconds(100), 1, CancellationToken.None)).Signals);
        Assert.Equal(["sleep"], seen);

        // Reports go by HTTP now, and arrive.
        await RetriedAsync(async () =>
        {
            await channel.ReportAsync(new ProgressReport(10, 6, false, 0, 0), retry: false, CancellationToken.None);
            return true;
        });
        Assert.Equal(6, (await _client.GetTaskAsync(task.Pid)).OpFinished);
        await _client.SendSignalAsync(task.Pid, "continue");
        Assert.Equal(["continue"], (await RetriedAsync(() =>
            channel.ReadSignalsAsync(TimeSpan.FromSeconds(5), 1, CancellationToken.None))).Signals);
    }
}
