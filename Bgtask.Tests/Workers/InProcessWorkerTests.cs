using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Workers;

/// <summary>The in-process launcher: the same SDK and the same observable behaviour as a worker process.</summary>
public abstract class InProcessWorkerTests<TTarget>(WorkerApiFactory<TTarget> api)
    : IClassFixture<WorkerApiFactory<TTarget>> where TTarget : IStorageTarget
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Count_RunsToTheEnd_Finished()
    {
        var task = await _client.LaunchAsync("demo.count", new { total = 5, delayMs = 20 }, launcher: "inprocess");
        Assert.Equal("inprocess", task.Launcher);

        var ended = await _client.WaitForStatusAsync(task.Pid, Statuses.Finished);

        Assert.Equal((5L, 5L), (ended.OpTotal, ended.OpFinished));
        Assert.True(ended.Memory > 0);
        Launches.InOrder(await _client.LogLinesAsync(task.Pid), "start", "finish");
        Assert.True(WorkerProcesses.IsGone(api.Address, task.Pid), "an in-process run started a worker process");
    }

    [Fact]
    public async Task Count_SleepContinueStop_HoldsProgressResumesAndStopsBySignal()
    {
        var task = await _client.LaunchAsync("demo.count", new { total = 1000, delayMs = 20 }, launcher: "inprocess");
        await _client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");

        await _client.SendSignalAsync(task.Pid, "sleep");
        var asleep = await _client.WaitForStatusAsync(task.Pid, Statuses.Sleeping);
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        Assert.Equal(asleep.OpFinished, (await _client.GetTaskAsync(task.Pid)).OpFinished);

        await _client.SendSignalAsync(task.Pid, "continue");
        await _client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > asleep.OpFinished,
            "counts again after continue");

        await _client.SendSignalAsync(task.Pid, "stop");
        var stopped = await _client.WaitForStatusAsync(task.Pid, Statuses.Stopped);
        Assert.Equal("stopped by signal", stopped.Message);
        Launches.InOrder(await _client.LogLinesAsync(task.Pid), "start", "sleep", "continue", "stop");
    }

    [Fact]
    public async Task Kill_Count_EndsTheRunAndMarksItKilled()
    {
        var task = await _client.LaunchAsync("demo.count", new { total = 1000, delayMs = 20 }, launcher: "inprocess");
        await _client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");

        var kill = await (await _client.CallAsync(task.Pid, "kill")).ReadAsAsync<KillView>();

        Assert.Equal(new KillView(task.Pid, true), kill);
        var after = await _client.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Stopped, "killed", false), (after.Status, after.Message, after.Live));
        // The run is over: no report moves the counter any more (asserted in the direction slowness cannot break).
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var later = await _client.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Stopped, "killed", after.OpFinished), (later.Status, later.Message, later.OpFinished));
    }
}

public sealed class InProcessWorkerTests_Sqlite(WorkerApiFactory<SqliteTarget> api) : InProcessWorkerTests<SqliteTarget>(api);

public sealed class InProcessWorkerTests_MariaDb(WorkerApiFactory<MariaDbTarget> api) : InProcessWorkerTests<MariaDbTarget>(api);

public sealed class InProcessWorkerTests_MariaDbMemory(WorkerApiFactory<MariaDbMemoryTarget> api)
    : InProcessWorkerTests<MariaDbMemoryTarget>(api);
