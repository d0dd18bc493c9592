using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Faults;

public sealed class QuickTimeLimitApiFactory : WorkerApiFactory<SqliteTarget>
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Tasks:TimeoutGrace", "00:00:01"),
        new("Tasks:SweepInterval", "00:00:00.2"),
    ];
}

/// <summary><c>timeoutSeconds</c>: at the limit the task is sent stop; after the grace it is killed. Either way: "time limit".</summary>
public sealed class TimeLimitTests(QuickTimeLimitApiFactory api) : IClassFixture<QuickTimeLimitApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task BusyTaskPastItsLimit_IsKilledAfterTheGrace_StoppedTimeLimit()
    {
        var task = await _client.LaunchAsync("demo.busy", new { seconds = 60 }, timeoutSeconds: 1);
        await _client.WaitForStatusAsync(task.Pid, Statuses.Running);
        var worker = await WorkerProcesses.WaitForAsync(api.Address, task.Pid);

        var ended = await _client.WaitForEndAsync(task.Pid);

        Assert.Equal((Statuses.Stopped, "time limit", false), (ended.Status, ended.Message, ended.Live));
        Assert.True(ended.RuntimeSeconds >= 1, $"ended after {ended.RuntimeSeconds} s");
        await Eventually.TrueAsync(() => Task.FromResult(WorkerProcesses.IsGone(api.Address, task.Pid)),
            $"worker process {worker} is gone");
        await Eventually.TrueAsync(async () => (await _client.LogLinesAsync(task.Pid)).Contains("time limit: killed"),
            "the log says it was killed");
        Launches.InOrder(await _client.LogLinesAsync(task.Pid), "time limit: stop sent", "time limit: killed");
    }

    [Fact]
    public async Task CountingTaskPastItsLimit_StopsAtItsCheckpoint_StoppedTimeLimit()
    {
        var task = await _client.LaunchAsync("demo.count", new { total = 1000, delayMs = 20 }, timeoutSeconds: 1);

        var ended = await _client.WaitForEndAsync(task.Pid);

        Assert.Equal((Statuses.Stopped, "time limit"), (ended.Status, ended.Message));
        Assert.InRange(ended.OpFinished, 0, 999); // 0 when a loaded machine starts it late: the stop comes first
        var log = await _client.LogLinesAsync(task.Pid);
        // It stopped itself (a cooperative stop, logged by the worker), not killed. The service's line and the
        // worker's batched ones come from two writers: only each one's own order is certain.
        Assert.Contains("time limit: stop sent", log);
        Launches.InOrder(log, "start", "stop");
        Assert.DoesNotContain("time limit: killed", log);
        await Eventually.TrueAsync(() => Task.FromResult(WorkerProcesses.IsGone(api.Address, task.Pid)),
            "the worker has exited");
    }
}
