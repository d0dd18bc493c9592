using Bgtask.Tests.Client;
using Bgtask.Tests.Faults;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;

namespace Bgtask.Tests.Freeze;

/// <summary>A frozen worker that the service loses sight of (the service SIGKILLed and started again) stays frozen.</summary>
[Collection(ProcessFaultsCollection.Name)]
public sealed class FrozenRestartTests(ITestOutputHelper output) : IDisposable
{
    private readonly ServiceProcess _service = new(new Dictionary<string, string> { ["Worker:RetryWindow"] = "00:00:30" });

    private HttpClient Client => _service.Client;

    public void Dispose()
    {
        if (!string.IsNullOrEmpty(_service.Output)) output.WriteLine($"service output:\n{_service.Output}");
        _service.Dispose();
    }

    [Fact]
    public async Task FrozenWorker_AfterAServiceRestart_IsStillFrozenAndThawable()
    {
        await _service.StartAsync();
        var task = await Client.LaunchAsync("demo.count", new { total = 100000, delayMs = 50 });
        await Client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");
        var worker = await WorkerProcesses.WaitForAsync(_service.Address, task.Pid);
        await Client.FreezeAsync(task.Pid);
        await Freezing.WaitAllStoppedAsync(worker);

        _service.Kill();
        await _service.StartAsync();

        var after = await Client.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Sleeping, true, true), (after.Status, after.Frozen, after.Live));
        Assert.True(Freezing.AllStopped(Freezing.Tree(worker)), "the worker's tree is still stopped");

        var thawed = await Client.ThawAsync(task.Pid);
        Assert.Equal((Statuses.Running, false), (thawed.Status, thawed.Frozen));
        await Client.WaitForAsync(task.Pid, t => t.OpFinished > after.OpFinished, "counts on after the thaw");
        await Client.PostAsync($"/api/tasks/{task.Pid}/kill", null);
    }
}
