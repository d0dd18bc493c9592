using Bgtask.Tests.Client;
using Bgtask.Tests.Faults;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;

namespace Bgtask.Tests.Cli;

/// <summary><c>bgtask watch</c> while the service is SIGKILLed and started again on the same port and database.</summary>
[Collection(ProcessFaultsCollection.Name)]
public sealed class CliServiceRestartTests(ITestOutputHelper output) : IDisposable
{
    // The worker outlives the service's absence and reports again once it is back.
    private readonly ServiceProcess _service = new(new Dictionary<string, string> { ["Worker:RetryWindow"] = "00:00:30" });

    public void Dispose()
    {
        if (!string.IsNullOrEmpty(_service.Output)) output.WriteLine($"service output:\n{_service.Output}");
        _service.Dispose();
    }

    [Fact]
    public async Task Watch_ServiceKilledAndStartedAgain_GoesOnAndEndsWithTheTask()
    {
        await _service.StartAsync();
        var cli = new BgtaskCli(_service.Address);
        var pid = long.Parse(Assert.Single((await cli.RunAsync("launch", "demo.count", "--set", "total=40", "--set", "delayMs=100")).Lines));
        using var watch = cli.Start(["watch", pid.ToString()]);
        await _service.Client.WaitForAsync(pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");
        await Eventually.TrueAsync(() => Task.FromResult(watch.StdoutSoFar.Contains($"{pid} demo.count running")),
            "the watch to show the running task");

        _service.Kill();
        await _service.StartAsync();
        var result = await watch.WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"task {pid} finished", result.Lines[^1]);
        Assert.Equal(Statuses.Finished, (await _service.Client.GetTaskAsync(pid)).Status);
    }
}
