using System.Diagnostics;
using System.Net.Http.Json;
using Bgtask.Worker.Client;
using Bgtask.Worker.Sdk;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// A worker's runner (TaskRunner + the HTTP channel, in a process of its own: a child run of this bench) doing
/// 1,000,000 operations with reports every 10 ms: memory after warm-up (the first half) vs at the end.
/// </summary>
public static class SoakScenario
{
    public const int Operations = 1_000_000;

    public static async Task RunAsync(Bench bench)
    {
        await using var service = await ServiceProcess.StartAsync(bench);
        using var created = await service.Http.PostAsJsonAsync("api/tasks/records", new { description = "soak", task = "bench.soak" });
        var pid = (await created.Content.ReadFromJsonAsync<TaskDto>())!.Pid;
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") info.ArgumentList.Add(typeof(SoakScenario).Assembly.Location);
        foreach (var a in new[] { "soak-child", service.Url.AbsoluteUri, pid.ToString() }) info.ArgumentList.Add(a);
        using var child = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = await child.StandardOutput.ReadToEndAsync(timeout.Token);
        await child.WaitForExitAsync(timeout.Token);
        var figures = output.Split('\n').Where(l => l.StartsWith("soak ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')).ToDictionary(p => p[1], p => double.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture));
        var task = await service.GetAsync(pid);
        var r = bench.Results;
        foreach (var (k, v) in figures) r.Add("soak", k, v);
        var heap = (figures["heap_end"] - figures["heap_warm"]) / 1024 / 1024;
        var rss = (figures["rss_end"] - figures["rss_warm"]) / 1024 / 1024;
        r.Add("soak", "heap_growth_mb", heap);
        r.Add("soak", "rss_growth_mb", rss);
        r.Add("soak", "ops_reported", task.OpFinished);
        r.Line("soak", $"1,000,000 ops, {figures["reports"]:0} reports: managed heap growth after warm-up", $"{heap:0.00} MB",
            $"after warm-up {figures["heap_warm"] / 1024 / 1024:0.0} MB", null, "≤ 1 MB", heap <= 1);
        r.Line("soak", "  RSS growth after warm-up", $"{rss:0.00} MB", $"after warm-up {figures["rss_warm"] / 1024 / 1024:0.0} MB",
            null, "≤ 1 MB", rss <= 1);
    }

    /// <summary>The child process: runs the task with the worker's own runner and HTTP channel.</summary>
    public static async Task<int> RunChildAsync(string api, long pid)
    {
        using var http = BgtaskHttp.Create(new Uri(api), token: null, apiKey: null);
        var channel = new CountingChannel(new HttpTaskChannel(http, pid, new RetryWindow()));
        var catalog = new TaskCatalog().Add<SoakTask>();
        var ending = await TaskRunner.RunAsync(catalog, channel, pid, new RunnerOptions { ReportInterval = TimeSpan.FromMilliseconds(10) },
            CancellationToken.None);
        Console.WriteLine($"soak heap_warm {SoakTask.HeapWarm}");
        Console.WriteLine($"soak heap_end {SoakTask.HeapEnd}");
        Console.WriteLine($"soak rss_warm {SoakTask.RssWarm}");
        Console.WriteLine($"soak rss_end {SoakTask.RssEnd}");
        Console.WriteLine($"soak reports {channel.Reports}");
        Console.WriteLine($"soak seconds {SoakTask.Seconds:0.0}");
        return ending == TaskEnding.Finished ? 0 : 1;
    }

    /// <summary>Counts the reports sent; delegates everything to the worker's HTTP channel.</summary>
    private sealed class CountingChannel(ITaskChannel inner) : ITaskChannel
    {
        public int Reports;
        public Task<TaskStart> StartAsync(CancellationToken ct) => inner.StartAsync(ct);
        public Task ReportAsync(ProgressReport report, bool retry, CancellationToken ct)
        {
            Interlocked.Increment(ref Reports);
            return inner.ReportAsync(report, retry, ct);
        }
        public Task<SignalBatch> ReadSignalsAsync(TimeSpan wait, CancellationToken ct) => inner.ReadSignalsAsync(wait, ct);
        public Task<ConfigSnapshot> GetConfigAsync(CancellationToken ct) => inner.GetConfigAsync(ct);
        public Task AppendLogAsync(IReadOnlyList<string> lines, CancellationToken ct) => inner.AppendLogAsync(lines, ct);
        public Task EndAsync(TaskEnding ending, string? message, CancellationToken ct) => inner.EndAsync(ending, message, ct);
    }
}

/// <summary>1,000,000 operations, each Advance + check-point, yielding to a 1 ms timer every 200.</summary>
public sealed class SoakTask : IWorkerTask
{
    public static long HeapWarm, HeapEnd, RssWarm, RssEnd;
    public static double Seconds;
    public string Name => "bench.soak";
    public string Description => "Soak.";

    public async Task RunAsync(TaskContext context)
    {
        var clock = Stopwatch.StartNew();
        context.SetTotal(SoakScenario.Operations);
        for (var i = 1; i <= SoakScenario.Operations; i++)
        {
            context.Advance();
            await context.CheckpointAsync();
            if (i % 200 == 0) await Task.Delay(1);
            if (i == SoakScenario.Operations / 2) (HeapWarm, RssWarm) = Sample();
        }
        (HeapEnd, RssEnd) = Sample();
        Seconds = clock.Elapsed.TotalSeconds;
    }

    private static (long Heap, long Rss) Sample()
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        return (heap, ProcStat.Read(Environment.ProcessId).RssBytes);
    }
}
