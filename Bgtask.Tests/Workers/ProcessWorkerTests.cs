using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Bgtask.Tests.Workers;

/// <summary>
/// Tasks run by real <c>Bgtask.Worker</c> processes (the default launcher): a full run, signals, a config change,
/// kill, an error, a worker killed from outside, and many at once. On SQLite and MariaDB InnoDB; MEMORY runs the
/// in-process tests only (process spawns are what cost here, and they do not depend on the engine).
/// </summary>
public abstract class ProcessWorkerTests<TTarget>(WorkerApiFactory<TTarget> api, ITestOutputHelper output)
    : IClassFixture<WorkerApiFactory<TTarget>> where TTarget : IStorageTarget
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Count_RunsToTheEnd_FinishedWithEveryOperationMemoryAndLog()
    {
        var task = await _client.LaunchAsync("demo.count", new { total = 5, delayMs = 20 });
        Assert.Equal("process", task.Launcher);

        var ended = await _client.WaitForStatusAsync(task.Pid, Statuses.Finished);

        Assert.Equal((5L, 5L, 1.0), (ended.OpTotal, ended.OpFinished, ended.Progress));
        Assert.True(ended.Memory > 0, $"memory {ended.Memory}");
        Assert.True(ended.MemoryPeak >= ended.Memory, $"memoryPeak {ended.MemoryPeak} < memory {ended.Memory}");
        Assert.Null(ended.Message);
        Assert.False(ended.Live);
        Assert.NotNull(ended.StartedAt);
        Assert.NotNull(ended.FinishedAt);
        var log = await _client.LogLinesAsync(task.Pid);
        Launches.InOrder(log, "start", "finish");
        await Eventually.TrueAsync(() => Task.FromResult(WorkerProcesses.IsGone(api.Address, task.Pid)),
            "the worker process has exited");
    }

    [Fact]
    public async Task Count_SleepContinueStop_HoldsProgressResumesAndStopsBySignal()
    {
        var task = await _client.LaunchAsync("demo.count", new { total = 1000, delayMs = 20 });
        await _client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");

        await _client.SendSignalAsync(task.Pid, "sleep");
        var asleep = await _client.WaitForStatusAsync(task.Pid, Statuses.Sleeping);
        Assert.True(asleep.Live);

        // Asserted only in the direction a slow machine cannot break: nothing moves while it sleeps.
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        var still = await _client.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Sleeping, asleep.OpFinished), (still.Status, still.OpFinished));

        await _client.SendSignalAsync(task.Pid, "continue");
        await _client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > asleep.OpFinished,
            "counts again after continue");

        await _client.SendSignalAsync(task.Pid, "stop");
        var stopped = await _client.WaitForStatusAsync(task.Pid, Statuses.Stopped);
        Assert.Equal("stopped by signal", stopped.Message);
        Assert.True(stopped.OpFinished < 1000);
        Launches.InOrder(await _client.LogLinesAsync(task.Pid), "start", "sleep", "continue", "stop");
        await Eventually.TrueAsync(() => Task.FromResult(WorkerProcesses.IsGone(api.Address, task.Pid)),
            "the worker process has exited");
    }

    [Fact]
    public async Task Count_ConfigWithSmallerDelay_SpeedsItUpToTheEnd()
    {
        // At 2 s an operation, 40 operations take 80 s: finishing within the deadline shows the new delay applied.
        var task = await _client.LaunchAsync("demo.count", new { total = 40, delayMs = 2000 });
        // "start" is logged once the worker has read its first config: the change comes after that.
        await Eventually.TrueAsync(async () => (await _client.LogLinesAsync(task.Pid)).Contains("start"),
            "the worker has started with its first config");

        var put = await _client.PutConfigAsync(task.Pid, new { total = 40, delayMs = 10 });
        Assert.Equal(2, (await put.ReadAsAsync<ConfigView>()).Version);

        var clock = Stopwatch.StartNew();
        var ended = await _client.WaitForStatusAsync(task.Pid, Statuses.Finished, TimeSpan.FromSeconds(20));
        output.WriteLine($"finished {clock.ElapsedMilliseconds} ms after the config change (80 s at the old delay)");
        Assert.Equal((40L, 40L), (ended.OpTotal, ended.OpFinished));
        Launches.InOrder(await _client.LogLinesAsync(task.Pid), "start", "config version 2", "finish");
    }

    [Fact]
    public async Task Kill_BusyTask_EndsItsProcessAndMarksItKilled()
    {
        var task = await _client.LaunchAsync("demo.busy", new { seconds = 60 });
        await _client.WaitForStatusAsync(task.Pid, Statuses.Running);
        var osPid = await WorkerProcesses.WaitForAsync(api.Address, task.Pid);

        var kill = await (await _client.CallAsync(task.Pid, "kill")).ReadAsAsync<KillView>();
        Assert.Equal(new KillView(task.Pid, true), kill);
        var after = await _client.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Stopped, "killed", false), (after.Status, after.Message, after.Live));
        await Eventually.TrueAsync(() => Task.FromResult(WorkerProcesses.IsGone(api.Address, task.Pid)),
            $"worker process {osPid} is gone");
        // Its watcher must not turn the kill into "worker lost".
        Assert.Equal("killed", (await _client.GetTaskAsync(task.Pid)).Message);
        Assert.Contains("killed", await _client.LogLinesAsync(task.Pid));
    }

    [Fact]
    public async Task Fail_EndsInErrorWithItsMessageAndStackTraceInTheLog()
    {
        var task = await _client.LaunchAsync("demo.fail", new { failAt = 2, delayMs = 10 });

        var ended = await _client.WaitForStatusAsync(task.Pid, Statuses.Error);

        Assert.Equal("demo.fail failed after 2 operations, as asked", ended.Message);
        Assert.Equal((3L, 2L), (ended.OpTotal, ended.OpFinished));
        var log = await _client.LogLinesAsync(task.Pid);
        Launches.InOrder(log, "start", "error demo.fail failed after 2 operations, as asked");
        Assert.Contains(log, l => l.StartsWith("System.InvalidOperationException: demo.fail failed", StringComparison.Ordinal));
        Assert.Contains(log, l => l.TrimStart().StartsWith("at Bgtask.Worker.Demo.FailTask.RunAsync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WorkerKilledFromOutside_EndsInErrorWorkerLostWithExitCode137()
    {
        var task = await _client.LaunchAsync("demo.count", new { total = 1000, delayMs = 20 });
        await _client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");
        var osPid = await WorkerProcesses.WaitForAsync(api.Address, task.Pid);

        var clock = Stopwatch.StartNew();
        WorkerProcesses.Kill(osPid);
        var ended = await _client.WaitForEndAsync(task.Pid);
        clock.Stop();

        Assert.Equal((Statuses.Error, "worker lost (exit code 137)"), (ended.Status, ended.Message));
        Assert.False(ended.Live);
        output.WriteLine($"[{typeof(TTarget).Name}] SIGKILLed worker seen as error after {clock.ElapsedMilliseconds} ms");
        // The watcher logs it just after the change.
        await Eventually.TrueAsync(async () => (await _client.LogLinesAsync(task.Pid)).Contains("error worker lost (exit code 137)"),
            "the log says the worker was lost");
    }

    [Fact]
    public async Task Twenty_LaunchedAtOnce_AllFinish()
    {
        var launched = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => _client.LaunchAsync("demo.count", new { total = 5, delayMs = 20 }, description: $"batch {i}")));
        Assert.Equal(20, launched.Select(t => t.Pid).Distinct().Count());

        var ended = await Task.WhenAll(launched.Select(t =>
            _client.WaitForEndAsync(t.Pid, TimeSpan.FromSeconds(30))));

        Assert.All(ended, t => Assert.Equal((Statuses.Finished, 5L, 5L), (t.Status, t.OpTotal, t.OpFinished)));
    }

    [Fact]
    public async Task TaskTypes_ListsTheThreeDemosAndTheTwoDemoCommands()
    {
        var types = await (await _client.GetAsync("/api/task-types")).ReadAsAsync<List<TaskTypeView>>();
        Assert.Equal(["demo.busy", "demo.count", "demo.count.py", "demo.count.sh", "demo.fail"],
            types.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(types, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
    }

    [Fact]
    public async Task Launch_UnknownTask_Returns400ListingTheTasks()
    {
        var response = await _client.PostAsync("/api/tasks", Contract.JsonText("""{"task":"demo.nope"}"""));
        var problem = await response.ReadValidationProblemAsync("task");
        var message = Assert.Single(problem.Errors!["task"]);
        Assert.Contains("demo.nope", message);
        foreach (var name in new[] { "demo.busy", "demo.count", "demo.fail" }) Assert.Contains(name, message);
    }

    [Fact]
    public async Task Launch_UnknownLauncher_Returns400ListingTheLaunchers()
    {
        var response = await _client.PostAsync("/api/tasks",
            Contract.JsonText("""{"task":"demo.count","launcher":"external"}"""));
        var message = Assert.Single((await response.ReadValidationProblemAsync("launcher")).Errors!["launcher"]);
        Assert.Contains("process", message);
        Assert.Contains("inprocess", message);
    }

    [Fact]
    public async Task StandaloneWorker_RunCommand_CreatesAnExternalRecordThatFinishes()
    {
        var (exit, stdout, stderr) = await RunStandaloneAsync("--config", """{"total":3,"delayMs":10}""");
        Assert.True(exit == 0, $"exit code {exit}: {stdout} {stderr}");

        var pid = PidOf(stdout);
        var task = await _client.GetTaskAsync(pid);
        Assert.Equal(("external", "demo.count", Statuses.Finished), (task.Launcher, task.Task, task.Status));
        Assert.Equal((3L, 3L), (task.OpTotal, task.OpFinished));
        Assert.Null(task.Exclusive);
        Assert.Equal(3, (await _client.GetConfigAsync(pid)).Config.GetProperty("total").GetInt32());
        Launches.InOrder(await _client.LogLinesAsync(pid), "start", "finish");
    }

    [Fact]
    public async Task StandaloneWorker_ExclusiveKeyHeld_ExitsWithoutRunningAndNamesTheHolder()
    {
        var key = $"cron:{Guid.NewGuid():N}";
        var holder = await NewExclusiveRecordAsync("nightly", key);

        var (exit, stdout, stderr) = await RunStandaloneAsync("--exclusive", key, "--config", """{"total":2,"delayMs":10}""");

        Assert.True(exit == 4, $"exit code {exit}: {stdout} {stderr}");
        Assert.Contains($"Task {holder.Pid} ", stderr);
        Assert.DoesNotContain("pid ", stdout);

        await _client.MoveAsync(holder.Pid, "finished");
        (exit, stdout, stderr) = await RunStandaloneAsync("--exclusive", key, "--config", """{"total":2,"delayMs":10}""");
        Assert.True(exit == 0, $"exit code {exit}: {stdout} {stderr}");
        var task = await _client.GetTaskAsync(PidOf(stdout));
        Assert.Equal((Statuses.Finished, key), (task.Status, task.Exclusive));
    }

    [Fact]
    public async Task StandaloneWorker_ExclusiveWithoutAKey_UsesTheTaskName()
    {
        var holder = await NewExclusiveRecordAsync("demo.count", true);
        try
        {
            // The key is optional: "--exclusive" followed by another option (or nothing) means the task's name.
            var (exit, stdout, stderr) = await RunStandaloneAsync("--exclusive", "--config", """{"total":1,"delayMs":0}""");
            Assert.True(exit == 4, $"exit code {exit}: {stdout} {stderr}");
            Assert.Contains($"Task {holder.Pid} ", stderr);
        }
        finally
        {
            await _client.MoveAsync(holder.Pid, "finished");
        }
    }

    private async Task<TaskView> NewExclusiveRecordAsync(string task, object exclusive) =>
        await (await _client.PostAsJsonAsync("/api/tasks/records", new NewRecord("holder", task, Exclusive: exclusive),
            Contract.Json)).ReadAsAsync<TaskView>(HttpStatusCode.Created);

    private static long PidOf(string stdout) =>
        long.Parse(stdout.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("pid ", StringComparison.Ordinal))["pid ".Length..]);

    /// <summary>Runs <c>Bgtask.Worker run demo.count --api URL</c> with more options, to its exit.</summary>
    private async Task<(int Exit, string Stdout, string Stderr)> RunStandaloneAsync(params string[] options)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Bgtask.Worker");
        Assert.True(File.Exists(worker), $"{worker} is not in the test bin folder");
        var start = new ProcessStartInfo(worker)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "run", "demo.count", "--api", api.Address.AbsoluteUri }.Concat(options))
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await Eventually.WithinAsync(process.WaitForExitAsync().ContinueWith(_ => true, TaskScheduler.Default),
                "the standalone worker to exit", TimeSpan.FromSeconds(20));
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    [Fact]
    public async Task Worker_GetsItsTaskThroughTheEnvironmentNotTheCommandLine()
    {
        var task = await _client.LaunchAsync("demo.busy", new { seconds = 30 });
        var osPid = await WorkerProcesses.WaitForAsync(api.Address, task.Pid);
        try
        {
            var commandLine = await File.ReadAllTextAsync($"/proc/{osPid}/cmdline");
            Assert.DoesNotContain("BGTASK", commandLine);
        }
        finally
        {
            await (await _client.CallAsync(task.Pid, "kill")).ShouldBeAsync(HttpStatusCode.OK);
        }
    }
}

public sealed record TaskTypeView(string Name, string Description);

public sealed class ProcessWorkerTests_Sqlite(WorkerApiFactory<SqliteTarget> api, ITestOutputHelper output)
    : ProcessWorkerTests<SqliteTarget>(api, output);

public sealed class ProcessWorkerTests_MariaDb(WorkerApiFactory<MariaDbTarget> api, ITestOutputHelper output)
    : ProcessWorkerTests<MariaDbTarget>(api, output);
