using System.Net;
using System.Net.Http.Json;
using Bgtask.Api.Launches;
using Bgtask.Tests.Client;
using Bgtask.Tests.Freeze;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Commands;

/// <summary>
/// Command tasks as real processes: the service starts the registered program, reads its ::progress lines, logs its
/// output in order, judges its exit code and, with Signals: os, turns sleep/continue/stop into freeze, thaw and
/// SIGTERM for its whole tree.
/// </summary>
public sealed class CommandTests(CommandApiFactory api) : IClassFixture<CommandApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    private async Task<(TaskView Task, int OsPid)> LaunchRunningAsync(string task, object? config = null)
    {
        var launched = await _client.LaunchAsync(task, config);
        await _client.WaitForStatusAsync(launched.Pid, Statuses.Running);
        return (launched, await WorkerProcesses.WaitForAsync(api.Address, launched.Pid));
    }

    [Fact]
    public async Task ShellDemo_ProgressLinesBecomeProgress_OtherLinesTheLog_AndExit0IsFinished()
    {
        var task = await _client.LaunchAsync("demo.count.sh", new { total = 5, delay = 0.1 });
        var ended = await _client.WaitForEndAsync(task.Pid);
        Assert.Equal((Statuses.Finished, 5L, 5L), (ended.Status, ended.OpFinished, ended.OpTotal));
        var log = await _client.LogLinesAsync(task.Pid);
        Launches.InOrder(log, "counted 1", "counted 2", "counted 3", "counted 4", "counted 5", "counted to 5", "finish");
        Assert.DoesNotContain(log, l => l.StartsWith("::progress", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExitCodes_ZeroIsFinished_NIsErrorExitCodeN()
    {
        var three = await _client.LaunchAsync("test.exit", new { code = 3 });
        var zero = await _client.LaunchAsync("test.exit", new { code = 0 });
        var failed = await _client.WaitForEndAsync(three.Pid);
        Assert.Equal((Statuses.Error, "exit code 3"), (failed.Status, failed.Message));
        Assert.Equal(Statuses.Finished, (await _client.WaitForEndAsync(zero.Pid)).Status);
        Assert.Contains("exiting with 3", await _client.LogLinesAsync(three.Pid));
    }

    [Fact]
    public async Task KilledBySignalFromOutside_IsErrorNamingTheSignal()
    {
        var (task, osPid) = await LaunchRunningAsync("test.tree");
        WorkerProcesses.Kill(osPid);
        var ended = await _client.WaitForEndAsync(task.Pid);
        Assert.Equal((Statuses.Error, "killed by signal SIGKILL"), (ended.Status, ended.Message));
    }

    [Fact]
    public async Task ShellWithAChild_SleepFreezesTheTree_ContinueThawsIt_StopSendsSigtermToBoth()
    {
        var (task, osPid) = await LaunchRunningAsync("test.tree");
        await Eventually.TrueAsync(() => Task.FromResult(Freezing.Tree(osPid).Count >= 3), "the script's child and its sleep");

        await _client.SendSignalAsync(task.Pid, "sleep");
        await _client.WaitForStatusAsync(task.Pid, Statuses.Sleeping);
        await Freezing.WaitAllStoppedAsync(osPid);

        await _client.SendSignalAsync(task.Pid, "continue");
        await _client.WaitForStatusAsync(task.Pid, Statuses.Running);
        await Eventually.TrueAsync(() => Task.FromResult(Freezing.Tree(osPid).All(p => Freezing.Stat(p) is not { State: 'T' })),
            "the tree running again");

        await _client.SendSignalAsync(task.Pid, "stop");
        var ended = await _client.WaitForEndAsync(task.Pid);
        Assert.Equal((Statuses.Stopped, "stopped by signal"), (ended.Status, ended.Message));
        var log = await _client.LogLinesAsync(task.Pid);
        Assert.Contains("parent got TERM", log);
        Assert.Contains("child got TERM", log);
    }

    [Fact]
    public async Task ShellWithAChild_FrozenThawedAndKilled_WithAllItsProcesses()
    {
        var (task, osPid) = await LaunchRunningAsync("test.tree");
        await Eventually.TrueAsync(() => Task.FromResult(Freezing.Tree(osPid).Count >= 3), "the script's child and its sleep");
        await _client.FreezeAsync(task.Pid);
        await Freezing.WaitAllStoppedAsync(osPid);
        await _client.ThawAsync(task.Pid);
        await _client.FreezeAsync(task.Pid);
        var tree = Freezing.Tree(osPid);

        var kill = await (await _client.PostAsync($"/api/tasks/{task.Pid}/kill", null)).ReadAsAsync<KillView>();
        Assert.True(kill.Killed);
        await Eventually.TrueAsync(() => Task.FromResult(tree.All(p => Freezing.Stat(p) is null or { State: 'Z' })),
            "every process of the tree gone");
        Assert.Equal((Statuses.Stopped, "killed"), ((await _client.GetTaskAsync(task.Pid)).Status, (await _client.GetTaskAsync(task.Pid)).Message));
    }

    [Fact]
    public async Task AProgramPrinting100000LinesFast_HasThemAllInTheLogInOrder()
    {
        var task = await _client.LaunchAsync("test.lines");
        Assert.Equal(Statuses.Finished, (await _client.WaitForEndAsync(task.Pid, TimeSpan.FromSeconds(120))).Status);
        var log = await _client.LogLinesAsync(task.Pid);
        var numbers = log.Where(l => l.Length > 0 && char.IsAsciiDigit(l[0])).ToList();
        Assert.Equal(Enumerable.Range(1, 100_000).Select(i => i.ToString()), numbers);
        Launches.InOrder(log, "100000", "the end, with no line end", "finish");
    }

    [Fact]
    public async Task Memory_OfACommandWhoseChildHolds100MB_CountsTheChild()
    {
        var (task, osPid) = await LaunchRunningAsync("test.memory");
        try
        {
            var seen = await _client.WaitForAsync(task.Pid, t => t.Memory > 100L * 1024 * 1024, "memory over 100 MB");
            Assert.True(seen.MemoryPeak >= seen.Memory);
        }
        finally
        {
            await _client.PostAsync($"/api/tasks/{task.Pid}/kill", null);
        }
        var ended = await _client.GetTaskAsync(task.Pid);
        Assert.True(ended.MemoryPeak > 100L * 1024 * 1024, "the peak is kept after the end");
    }

    [Fact]
    public async Task PythonDemo_PausedResumedReconfiguredAndStopped_ThroughTheApi()
    {
        var (task, _) = await LaunchRunningAsync("demo.count.py", new { total = 1000, delay = 0.2 });
        await _client.WaitForAsync(task.Pid, t => t.OpFinished > 0, "counting");

        await _client.SendSignalAsync(task.Pid, "sleep");
        var asleep = await _client.WaitForStatusAsync(task.Pid, Statuses.Sleeping);
        await _client.SendSignalAsync(task.Pid, "continue");
        await _client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > asleep.OpFinished,
            "counting on after continue");

        (await _client.PutConfigAsync(task.Pid, new { total = 5000, delay = 0.1 })).EnsureSuccessStatusCode();
        await _client.WaitForAsync(task.Pid, t => t.OpTotal == 5000, "the new total in its progress");

        await _client.SendSignalAsync(task.Pid, "stop");
        var ended = await _client.WaitForEndAsync(task.Pid);
        Assert.Equal((Statuses.Stopped, "stopped by signal"), (ended.Status, ended.Message));
        Launches.InOrder(await _client.LogLinesAsync(task.Pid), "sleeping", "continuing", "config version 2: {\"total\": 5000, \"delay\": 0.1}");
    }

    [Fact]
    public async Task TaskTypes_ListTheCommands_AndACommandCannotRunInProcess()
    {
        var types = await _client.GetFromJsonAsync<List<TaskTypeView>>("/api/task-types", Contract.Json);
        Assert.Contains(types!, t => t.Name == "demo.count.sh");
        Assert.Contains(types!, t => t.Name == "demo.count.py");
        Assert.Contains(types!, t => t.Name == "demo.count");

        var response = await _client.PostAsJsonAsync("/api/tasks", new { task = "demo.count.sh", launcher = "inprocess" }, Contract.Json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public void MisconfiguredCommands_AreStartUpErrorsSayingWhat()
    {
        var script = Path.Combine(Path.GetTempPath(), $"bgtask-not-executable-{Guid.NewGuid():N}.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        try
        {
            var options = new TasksOptions
            {
                Commands =
                {
                    ["missing"] = new CommandOptions { Path = "/nonexistent/program" },
                    ["plain"] = new CommandOptions { Path = script },
                    ["odd"] = new CommandOptions { Path = "/bin/sh", Signals = "carrier-pigeon" },
                },
            };
            var result = new CommandsValidator().Validate(null, options);
            Assert.True(result.Failed);
            var failures = string.Join("\n", result.Failures!);
            Assert.Contains("Tasks:Commands:missing:Path: no file at /nonexistent/program", failures);
            Assert.Contains("is not executable", failures);
            Assert.Contains("Tasks:Commands:odd:Signals", failures);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
