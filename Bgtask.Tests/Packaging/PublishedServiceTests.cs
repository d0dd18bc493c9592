using Bgtask.Tests.Client;
using Bgtask.Tests.Dashboard;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Packaging;

/// <summary>The published service, as the image runs it: the dashboard is there, and tasks run in the Native AOT worker.</summary>
[Collection(PackagingCollection.Name)]
public sealed class PublishedServiceTests(PublishedService published) : IClassFixture<PublishedService>
{
    private HttpClient Client => published.Service.Client;

    [Fact]
    public async Task PublishedService_StartedFromAnotherFolder_ServesTheDashboard()
    {
        await DashboardFiles.AssertServedAsync(Client);
    }

    [Fact]
    public async Task PublishedService_ProcessLauncher_RunsTheTaskInTheNativeAotWorkerToTheEnd()
    {
        var task = await Client.LaunchAsync("demo.count", new { total = 60, delayMs = 50 }, launcher: "process");
        await Client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running && t.OpFinished > 0, "is counting");
        // Held asleep, the worker process stays there to be looked at for as long as it takes.
        await Client.SendSignalAsync(task.Pid, "sleep");
        await Client.WaitForStatusAsync(task.Pid, Statuses.Sleeping);

        var osPid = await WorkerProcesses.WaitForAsync(published.Service.Address, task.Pid);
        Assert.Equal(published.Worker, new FileInfo($"/proc/{osPid}/exe").LinkTarget);
        // A JIT worker's apphost loads the .NET host and runtime into its process; the native worker is the whole program.
        var maps = await File.ReadAllTextAsync($"/proc/{osPid}/maps");
        Assert.DoesNotContain("libhostfxr.so", maps);
        Assert.DoesNotContain("libcoreclr.so", maps);

        await Client.SendSignalAsync(task.Pid, "continue");
        var ended = await Client.WaitForStatusAsync(task.Pid, Statuses.Finished, TimeSpan.FromSeconds(60));
        Assert.Equal((60L, 60L), (ended.OpTotal, ended.OpFinished));
        Launches.InOrder(await Client.LogLinesAsync(task.Pid), "start", "sleep", "continue", "finish");
    }
}
