using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Faults;

public sealed class OneRunnerApiFactory : WorkerApiFactory<SqliteTarget>
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Tasks:MaxRunning", "1"),
        new("Tasks:SweepInterval", "00:00:00.2"),
    ];
}

/// <summary>
/// <c>Tasks:MaxRunning</c>: launches beyond it wait as pending, in order, and start as a slot frees; a queued
/// launch that is stopped or killed ends without ever starting. The tests of this class run one after another
/// on one API with one slot, so each ends every task it launched.
/// </summary>
public sealed class QueueTests(OneRunnerApiFactory api) : IClassFixture<OneRunnerApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task SecondLaunch_StaysPendingUntilTheFirstEnds_ThenRuns()
    {
        var first = await _client.LaunchAsync("demo.count", new { total = 10, delayMs = 100 });
        var second = await _client.LaunchAsync("demo.count", new { total = 3, delayMs = 10 });
        Assert.Equal(Statuses.Pending, second.Status);

        // Every look while the first is live finds the second still waiting. The second is read first: if it has
        // left the queue, the first, read after it, must have ended.
        TaskView firstEnded;
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            var waiting = await _client.GetTaskAsync(second.Pid);
            var running = await _client.GetTaskAsync(first.Pid);
            Assert.True(waiting is { Status: Statuses.Pending, StartedAt: null } || Launches.Terminal(running.Status),
                $"the second launch left the queue while the first was {running.Status}: {waiting}");
            if (Launches.Terminal(running.Status))
            {
                firstEnded = running;
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "the first launch did not end in time");
            await Task.Delay(20);
        }
        Assert.Equal(Statuses.Finished, firstEnded.Status);

        var ended = await _client.WaitForStatusAsync(second.Pid, Statuses.Finished);
        Assert.Equal((3L, 3L), (ended.OpTotal, ended.OpFinished));
        Assert.True(ended.StartedAt >= firstEnded.FinishedAt!.Value.AddMilliseconds(-1),
            $"started {ended.StartedAt:O}, before the first ended {firstEnded.FinishedAt:O}");
    }

    [Fact]
    public async Task QueuedLaunch_StopSignalOrKill_EndsItWithoutEverStarting()
    {
        var busy = await _client.LaunchAsync("demo.busy", new { seconds = 30 });
        try
        {
            await _client.WaitForStatusAsync(busy.Pid, Statuses.Running);
            var toStop = await _client.LaunchAsync("demo.count", new { total = 3, delayMs = 10 });
            var toKill = await _client.LaunchAsync("demo.count", new { total = 3, delayMs = 10 });
            Assert.Equal((Statuses.Pending, Statuses.Pending),
                ((await _client.GetTaskAsync(toStop.Pid)).Status, (await _client.GetTaskAsync(toKill.Pid)).Status));

            await _client.SendSignalAsync(toStop.Pid, "stop");
            var kill = await (await _client.CallAsync(toKill.Pid, "kill")).ReadAsAsync<KillView>();

            Assert.Equal(new KillView(toKill.Pid, false), kill); // there was no runner to end
            var stopped = await _client.GetTaskAsync(toStop.Pid);
            Assert.Equal((Statuses.Stopped, "stopped by signal", false), (stopped.Status, stopped.Message, stopped.Live));
            var killed = await _client.GetTaskAsync(toKill.Pid);
            Assert.Equal((Statuses.Stopped, "killed", false), (killed.Status, killed.Message, killed.Live));

            // The slot frees: neither may start now.
            await (await _client.CallAsync(busy.Pid, "kill")).ShouldBeAsync(System.Net.HttpStatusCode.OK);
            var after = await _client.LaunchAsync("demo.count", new { total = 1, delayMs = 0 });
            await _client.WaitForStatusAsync(after.Pid, Statuses.Finished);
            foreach (var pid in new[] { toStop.Pid, toKill.Pid })
            {
                var task = await _client.GetTaskAsync(pid);
                Assert.True(task is { StartedAt: null, OpTotal: 0 }, $"a queued launch ended while queued started: {task}");
                Assert.True(WorkerProcesses.IsGone(api.Address, pid));
                Assert.DoesNotContain("start", await _client.LogLinesAsync(pid));
            }
        }
        finally
        {
            await _client.CallAsync(busy.Pid, "kill");
        }
    }
}
