using System.Diagnostics;
using Bgtask.Tests.Client;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;

namespace Bgtask.Tests.Faults;

/// <summary>
/// The service SIGKILLed mid-run and started again on the same port and database: a worker process carries on
/// and is adopted; a worker that died meanwhile, and an in-process run, are settled at start.
/// </summary>
[Collection(ProcessFaultsCollection.Name)]
public sealed class ServiceKillTests(ITestOutputHelper output) : IDisposable
{
    // Long enough for the worker to outlast the service's absence; short enough that no orphan lingers.
    private readonly ServiceProcess _service = new(new Dictionary<string, string> { ["Worker:RetryWindow"] = "00:00:30" });

    private HttpClient Client => _service.Client;

    public void Dispose()
    {
        if (!string.IsNullOrEmpty(_service.Output)) output.WriteLine($"service output:\n{_service.Output}");
        _service.Dispose();
    }

    [Fact]
    public async Task ServiceKilledMidRun_WorkerCarriesOnAndTheTaskFinishesAfterTheRestart()
    {
        await _service.StartAsync();
        var task = await Client.LaunchAsync("demo.count", new { total = 30, delayMs = 100 });
        var before = await Client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");
        var worker = await WorkerProcesses.WaitForAsync(_service.Address, task.Pid);

        _service.Kill();
        // The service stays away a while (part of the scenario, not an assertion); the worker must outlive it.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(worker, WorkerProcesses.Find(_service.Address, task.Pid));
        var clock = Stopwatch.StartNew();
        await _service.StartAsync();
        output.WriteLine($"service ready again {clock.ElapsedMilliseconds} ms after its start");

        var resumed = await Client.WaitForAsync(task.Pid, t => t.OpFinished > before.OpFinished || Launches.Terminal(t.Status),
            "reports again after the restart");
        output.WriteLine($"first report seen {clock.ElapsedMilliseconds} ms after the restart began: {resumed.OpFinished}/30");
        var ended = await Client.WaitForStatusAsync(task.Pid, Statuses.Finished, TimeSpan.FromSeconds(20));
        Assert.Equal((30L, 30L), (ended.OpTotal, ended.OpFinished));
        Launches.InOrder(await Client.LogLinesAsync(task.Pid), "start", "finish");
    }

    /// <summary>One kill and restart for two cases, to spare the machine a service start.</summary>
    [Fact]
    public async Task ServiceKilled_AWorkerThatDiedMeanwhileIsWorkerLost_AnInProcessRunIsServiceRestarted()
    {
        await _service.StartAsync();
        var process = await Client.LaunchAsync("demo.count", new { total = 1000, delayMs = 50 });
        var inProcess = await Client.LaunchAsync("demo.count", new { total = 1000, delayMs = 50 }, launcher: "inprocess");
        foreach (var pid in new[] { process.Pid, inProcess.Pid })
            await Client.WaitForAsync(pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");
        var worker = await WorkerProcesses.WaitForAsync(_service.Address, process.Pid);

        _service.Kill();
        WorkerProcesses.Kill(worker);
        await Eventually.TrueAsync(() => Task.FromResult(WorkerProcesses.IsGone(_service.Address, process.Pid)),
            "the worker is gone");
        await _service.StartAsync();

        var lost = await Client.WaitForEndAsync(process.Pid);
        Assert.Equal((Statuses.Error, "worker lost", false), (lost.Status, lost.Message, lost.Live));
        var restarted = await Client.WaitForEndAsync(inProcess.Pid);
        Assert.Equal((Statuses.Error, "service restarted", false), (restarted.Status, restarted.Message, restarted.Live));
        Assert.Contains("error service restarted", await Client.LogLinesAsync(inProcess.Pid));
        Assert.Contains("error worker lost", await Client.LogLinesAsync(process.Pid));
    }
}
