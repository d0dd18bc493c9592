using System.Diagnostics;
using Bgtask.Worker.Sdk;

namespace Bgtask.Bench.Soak;

/// <summary>
/// 1,000,000 operations, each Advance + check-point, yielding to a 1 ms timer every 200; samples the managed
/// heap and the RSS after warm-up (the first half) and at the end.
/// </summary>
public sealed class SoakTask : IWorkerTask
{
    public const int Operations = 1_000_000;

    private static long _heapWarm, _heapEnd, _rssWarm, _rssEnd;
    private static double _seconds;

    public string Name => "bench.soak";
    public string Description => "Soak: 1,000,000 operations with reports.";

    public async Task RunAsync(TaskContext context)
    {
        var clock = Stopwatch.StartNew();
        context.SetTotal(Operations);
        for (var i = 1; i <= Operations; i++)
        {
            context.Advance();
            await context.CheckpointAsync();
            if (i % 200 == 0) await Task.Delay(1);
            if (i == Operations / 2) (_heapWarm, _rssWarm) = Sample();
        }
        (_heapEnd, _rssEnd) = Sample();
        _seconds = clock.Elapsed.TotalSeconds;
    }

    public static IEnumerable<(string Name, double Value)> Figures() =>
    [
        ("heap_warm", _heapWarm), ("heap_end", _heapEnd), ("rss_warm", _rssWarm), ("rss_end", _rssEnd),
        ("seconds", Math.Round(_seconds, 1)),
    ];

    private static (long Heap, long Rss) Sample() => (GC.GetTotalMemory(forceFullCollection: true), ProcessRss.Read());
}
