using System.Text.Json;
using Bgtask.Worker.Sdk;

namespace Bgtask.Worker.Demo;

/// <summary>The original's test task: <c>total</c> operations (100) of <c>delayMs</c> each (1000).</summary>
public sealed class CountTask : IWorkerTask
{
    public string Name => "demo.count";
    public string Description => "Counts to `total` (100), one operation per `delayMs` (1000), with a check-point after each; " +
                                 "a config change of `delayMs` takes effect at once.";

    public async Task RunAsync(TaskContext context)
    {
        var total = ReadLong(context.Config, "total", 100);
        context.SetTotal(total);
        for (var done = 0L; done < total; done++)
        {
            var delay = ReadLong(context.Config, "delayMs", 1000);
            if (delay > 0) await Task.Delay(TimeSpan.FromMilliseconds(delay), context.CancellationToken);
            context.Advance();
            await context.CheckpointAsync();
        }
    }

    internal static long ReadLong(JsonElement config, string name, long fallback) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var value) &&
        value.TryGetInt64(out var number) && number >= 0
            ? number
            : fallback;
}
