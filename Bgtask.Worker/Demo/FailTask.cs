using Bgtask.Worker.Sdk;

namespace Bgtask.Worker.Demo;

/// <summary>Fails on purpose after <c>failAt</c> operations (3), to show how an error ends a task.</summary>
public sealed class FailTask : IWorkerTask
{
    public string Name => "demo.fail";
    public string Description => "Throws after `failAt` (3) operations of `delayMs` (100) each.";

    public async Task RunAsync(TaskContext context)
    {
        var failAt = CountTask.ReadLong(context.Config, "failAt", 3);
        var delay = CountTask.ReadLong(context.Config, "delayMs", 100);
        context.SetTotal(failAt + 1);
        for (var done = 0L; done < failAt; done++)
        {
            if (delay > 0) await Task.Delay(TimeSpan.FromMilliseconds(delay), context.CancellationToken);
            context.Advance();
            await context.CheckpointAsync();
        }
        throw new InvalidOperationException($"demo.fail failed after {failAt} operations, as asked");
    }
}
