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

    private static Sample _warm, _end;
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
            if (i == Operations / 2) _warm = Sample.Take();
        }
        _end = Sample.Take();
        _seconds = clock.Elapsed.TotalSeconds;
    }

    public static IEnumerable<(string Name, double Value)> Figures() =>
    [
        .. _warm.Figures("warm"), .. _end.Figures("end"), ("seconds", Math.Round(_seconds, 1)),
    ];

    /// <summary>
    /// The managed heap after a full collection and the RSS; also (as read before that collection) the bytes
    /// allocated so far, the collections of generation 0 and the GC's committed memory.
    /// </summary>
    private readonly record struct Sample(long Heap, long Rss, long Allocated, int Gen0, long Committed)
    {
        public static Sample Take()
        {
            var (allocated, gen0, committed) = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.GetGCMemoryInfo().TotalCommittedBytes);
            return new Sample(GC.GetTotalMemory(forceFullCollection: true), ProcessRss.Read(), allocated, gen0, committed);
        }

        public IEnumerable<(string, double)> Figures(string when) =>
        [
            ($"heap_{when}", Heap), ($"rss_{when}", Rss), ($"allocated_{when}", Allocated), ($"gen0_{when}", Gen0),
            ($"committed_{when}", Committed),
        ];
    }
}
