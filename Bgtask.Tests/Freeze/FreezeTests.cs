using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Freeze;

/// <summary>
/// Freeze and thaw of real worker processes: SIGSTOP to the whole tree with no check-point, seen in /proc; no
/// heartbeat expected while frozen; kill, stop and the time limit on a frozen task.
/// </summary>
public abstract class FreezeTests<TTarget>(FreezeApiFactory<TTarget> api) : IClassFixture<FreezeApiFactory<TTarget>>
    where TTarget : IStorageTarget
{
    private readonly HttpClient _client = api.CreateClient();

    private async Task<(TaskView Task, int OsPid)> LaunchRunningAsync(string task, object config, int? timeoutSeconds = null)
    {
        var launched = await _client.LaunchAsync(task, config, timeoutSeconds: timeoutSeconds);
        await _client.WaitForStatusAsync(launched.Pid, Statuses.Running);
        return (launched, await WorkerProcesses.WaitForAsync(api.Address, launched.Pid));
    }

    [Fact]
    public async Task Freeze_BusyWorkerThatNeverChecksIn_StopsItsTree_OutlivesTheHeartbeatTimeout_AndThawRunsItOn()
    {
        var (task, osPid) = await LaunchRunningAsync("demo.busy", new { seconds = 300 });
        try
        {
            var frozen = await _client.FreezeAsync(task.Pid);
            Assert.Equal((Statuses.Sleeping, true, true), (frozen.Status, frozen.Frozen, frozen.Live));
            await Freezing.WaitAllStoppedAsync(osPid);
            var tree = Freezing.Tree(osPid);
            Assert.Contains(osPid, tree);
            var ticks = Freezing.CpuTicks(tree);

            // Frozen for longer than the heartbeat timeout: a running task this silent would be lost by now.
            await Task.Delay(FreezeApiFactory<TTarget>.HeartbeatTimeout + TimeSpan.FromSeconds(4));
            var still = await _client.GetTaskAsync(task.Pid);
            Assert.Equal((Statuses.Sleeping, true), (still.Status, still.Frozen));
            Assert.True(Freezing.AllStopped(tree), "every process of the tree stays in state T");
            Assert.Equal(ticks, Freezing.CpuTicks(tree));
            Assert.True(still.Memory > 0, "the memory read from the frozen tree");

            var thawed = await _client.ThawAsync(task.Pid);
            Assert.Equal((Statuses.Running, false), (thawed.Status, thawed.Frozen));
            await Eventually.TrueAsync(() => Task.FromResult(Freezing.Stat(osPid) is { State: not 'T' } &&
                                                             Freezing.CpuTicks(Freezing.Tree(osPid)) > ticks),
                "the thawed worker to run on (not stopped, its CPU time advancing)");
            var log = await _client.LogLinesAsync(task.Pid);
            Launches.InOrder(log, "frozen", "thawed");
        }
        finally
        {
            WorkerProcesses.Kill(osPid);
        }
    }

    [Fact]
    public async Task FreezeAndThaw_Repeated_ChangeNothing()
    {
        var (task, osPid) = await LaunchRunningAsync("demo.busy", new { seconds = 300 });
        try
        {
            await _client.FreezeAsync(task.Pid);
            var again = await _client.FreezeAsync(task.Pid);
            Assert.Equal((Statuses.Sleeping, true), (again.Status, again.Frozen));
            await _client.ThawAsync(task.Pid);
            var thawedAgain = await _client.ThawAsync(task.Pid);
            Assert.Equal((Statuses.Running, false), (thawedAgain.Status, thawedAgain.Frozen));
            var log = await _client.LogLinesAsync(task.Pid);
            Assert.Single(log, l => l == "frozen");
            Assert.Single(log, l => l == "thawed");
        }
        finally
        {
            WorkerProcesses.Kill(osPid);
        }
    }

    [Fact]
    public async Task Thaw_ASleepingTaskFrozen_RestoresSleeping()
    {
        var (task, osPid) = await LaunchRunningAsync("demo.count", new { total = 100000, delayMs = 50 });
        try
        {
            await _client.SendSignalAsync(task.Pid, "sleep");
            await _client.WaitForStatusAsync(task.Pid, Statuses.Sleeping);
            var frozen = await _client.FreezeAsync(task.Pid);
            Assert.True(frozen.Frozen);
            var thawed = await _client.ThawAsync(task.Pid);
            Assert.Equal((Statuses.Sleeping, false), (thawed.Status, thawed.Frozen));
        }
        finally
        {
            WorkerProcesses.Kill(osPid);
        }
    }

    [Fact]
    public async Task Kill_AFrozenTask_EndsItsWholeTree()
    {
        var (task, osPid) = await LaunchRunningAsync("demo.busy", new { seconds = 300 });
        try
        {
            await _client.FreezeAsync(task.Pid);
            await Freezing.WaitAllStoppedAsync(osPid);
            var tree = Freezing.Tree(osPid);

            var kill = await (await _client.PostAsync($"/api/tasks/{task.Pid}/kill", null)).ReadAsAsync<KillView>();
            Assert.True(kill.Killed);
            await Eventually.TrueAsync(() => Task.FromResult(tree.All(p => Freezing.Stat(p) is null or { State: 'Z' })),
                "every process of the frozen tree to be gone");
            var ended = await _client.GetTaskAsync(task.Pid);
            Assert.Equal((Statuses.Stopped, "killed", false), (ended.Status, ended.Message, ended.Frozen));
        }
        finally
        {
            WorkerProcesses.Kill(osPid);
        }
    }

    [Fact]
    public async Task Stop_AFrozenTask_ThawsItSoItStopsAtItsCheckpoint()
    {
        var (task, osPid) = await LaunchRunningAsync("demo.count", new { total = 100000, delayMs = 50 });
        try
        {
            await _client.FreezeAsync(task.Pid);
            await Freezing.WaitAllStoppedAsync(osPid);
            await _client.SendSignalAsync(task.Pid, "stop");
            var ended = await _client.WaitForEndAsync(task.Pid);
            Assert.Equal((Statuses.Stopped, false), (ended.Status, ended.Frozen));
            Assert.NotEqual("killed", ended.Message);
        }
        finally
        {
            WorkerProcesses.Kill(osPid);
        }
    }

    [Fact]
    public async Task TimeLimit_PassingWhileFrozen_ThawsAndStopsTheTask()
    {
        var (task, osPid) = await LaunchRunningAsync("demo.count", new { total = 100000, delayMs = 50 }, timeoutSeconds: 4);
        try
        {
            await _client.FreezeAsync(task.Pid);
            var ended = await _client.WaitForEndAsync(task.Pid, TimeSpan.FromSeconds(60));
            Assert.Equal((Statuses.Stopped, "time limit", false), (ended.Status, ended.Message, ended.Frozen));
            Assert.Contains("thawed", await _client.LogLinesAsync(task.Pid));
        }
        finally
        {
            WorkerProcesses.Kill(osPid);
        }
    }

    [Fact]
    public async Task FreezeAndThaw_InProcessExternalAndEndedTasks_Return409SayingWhy()
    {
        var inProcess = await _client.LaunchAsync("demo.count", new { total = 100000, delayMs = 50 }, launcher: "inprocess");
        await _client.WaitForStatusAsync(inProcess.Pid, Statuses.Running);
        var record = await _client.NewRecordAsync();
        var (ended, _) = await LaunchRunningAsync("demo.count", new { total = 100000, delayMs = 50 });
        await (await _client.PostAsync($"/api/tasks/{ended.Pid}/kill", null)).ReadAsAsync<KillView>();

        foreach (var (pid, why) in new[] { (inProcess.Pid, "inprocess"), (record.Pid, "external record"), (ended.Pid, "ended") })
        foreach (var route in new[] { "freeze", "thaw" })
        {
            var problem = await (await _client.PostAsync($"/api/tasks/{pid}/{route}", null))
                .ReadProblemAsync(HttpStatusCode.Conflict);
            Assert.Contains(why, problem.Detail);
        }
        await (await _client.PostAsync($"/api/tasks/{inProcess.Pid}/kill", null)).ReadAsAsync<KillView>();
        await (await _client.PostAsync("/api/tasks/999999/freeze", null)).ReadProblemAsync(HttpStatusCode.NotFound);
    }
}

public sealed class FreezeTests_Sqlite(FreezeApiFactory<SqliteTarget> api) : FreezeTests<SqliteTarget>(api);

// The freeze, thaw and frozen-report statements translate to MySQL's SQL as well (InnoDB: the cluster's storage).
public sealed class FreezeTests_MariaDb(FreezeApiFactory<MariaDbTarget> api) : FreezeTests<MariaDbTarget>(api);
