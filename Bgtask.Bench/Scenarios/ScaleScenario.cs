using System.Diagnostics;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// Many live tasks on one node: 1,000 running in-process tasks reporting (the service's RSS, CPU and
/// GET /api/tasks/{pid} p99), 10,000 external records reporting once a second (<see cref="ScaleRecords"/>) and
/// 1,000 live AOT worker processes (<see cref="ScaleProcesses"/>), each on a service of its own.
/// </summary>
public static class ScaleScenario
{
    private const int Running = 1000;
    private const int Gets = 500;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(Bench bench)
    {
        await InProcessTasksAsync(bench);
        await ScaleRecords.RunAsync(bench);
        await ScaleProcesses.RunAsync(bench);
    }

    private static async Task InProcessTasksAsync(Bench bench)
    {
        await using var service = await bench.StartServiceAsync(bench.AotWorker);
        var pids = new System.Collections.Concurrent.ConcurrentBag<long>();
        // Each counts one operation per 100 ms: its runner reports progress every 500 ms.
        await Parallel.ForEachAsync(Enumerable.Range(0, Running), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
            pids.Add((await service.LaunchAsync("demo.count", "inprocess", new { total = 1_000_000, delayMs = 100 })).Pid));
        var all = pids.ToArray();
        await Task.Delay(3000);
        var running = 0;
        foreach (var pid in all.Take(50)) if ((await service.GetAsync(pid)).Status == "running") running++;

        var (_, cpuBefore) = service.Usage();
        var clock = Stopwatch.StartNew();
        var times = new List<double>();
        var random = new Random(5);
        while (times.Count < Gets && clock.Elapsed < Window)
        {
            var start = Stopwatch.GetTimestamp();
            await service.GetAsync(all[random.Next(all.Length)]);
            times.Add(Stats.ElapsedMs(start, Stopwatch.GetTimestamp()));
            await Task.Delay(10);
        }
        var left = Window - clock.Elapsed;
        if (left > TimeSpan.Zero) await Task.Delay(left);
        var (rss, cpuAfter) = service.Usage();
        var cpu = (cpuAfter - cpuBefore) / clock.Elapsed.TotalSeconds * 100;
        var p99 = Stats.Percentile(times, 99);
        var mb = rss / 1024.0 / 1024;
        var r = bench.Results;
        r.Add("scale", "running_sampled_of_50", running);
        r.Add("scale", "service_rss_mb", mb);
        r.Add("scale", "service_cpu_percent", cpu);
        r.Add("scale", "get_p50_ms", Stats.Percentile(times, 50));
        r.Add("scale", "get_p99_ms", p99);
        r.Line("scale", $"{Running} in-process tasks reporting: service RSS", $"{mb:0} MB", target: "≤ 256 MB", met: mb <= 256);
        r.Line("scale", "  service CPU (of one core)", $"{cpu:0} %");
        r.Line("scale", "  GET /api/tasks/{pid} p99 (p50)", $"{Stats.Ms(p99)} ({Stats.Ms(Stats.Percentile(times, 50))})",
            target: "p99 ≤ 20 ms", met: p99 <= 20);
        if (running < 50) Console.WriteLine($"  note: only {running} of 50 sampled tasks were running");
    }
}
