using System.Diagnostics;
using Bgtask.Worker.Sdk;

namespace Bgtask.Worker.Demo;

/// <summary>
/// Works for <c>seconds</c> (60) without ever calling a check-point, reporting or looking at its
/// cancellation token: only kill ends it early. It shows that kill really ends a process.
/// </summary>
public sealed class BusyTask : IWorkerTask
{
    public string Name => "demo.busy";
    public string Description => "Blocks for `seconds` (60) with no check-point and no report: only kill ends it early.";

    public Task RunAsync(TaskContext context)
    {
        var seconds = CountTask.ReadLong(context.Config, "seconds", 60);
        var clock = Stopwatch.StartNew();
        // Blocks its thread in short sleeps rather than spinning, so a test machine keeps its cores.
        while (clock.Elapsed.TotalSeconds < seconds)
            Thread.Sleep(20);
        return Task.CompletedTask;
    }
}
