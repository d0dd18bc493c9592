using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// A worker doing 1,000,000 operations with reports every 10 ms: memory after warm-up (the first half) vs at the
/// end. The worker is the soak program (Bgtask.Bench/Soak): a user's own executable hosting its task through
/// WorkerHost, published with Native AOT as workers ship (the target) and, for comparison, JIT. It runs as the
/// service launches a worker: its task's record is made first, and it finds it in BGTASK_PID and BGTASK_API_URL.
/// </summary>
public static class SoakScenario
{
    public const int Operations = 1_000_000;

    public static async Task RunAsync(Bench bench)
    {
        foreach (var (name, path) in new[] { ("aot", bench.SoakAot), ("jit", bench.SoakJit) })
        {
            await using var service = await bench.StartServiceAsync();
            using var created = await service.Client.PostAsJsonAsync("api/tasks/records", new { description = "soak", task = "bench.soak" });
            created.EnsureSuccessStatusCode();
            var pid = (await created.Content.ReadFromJsonAsync<TaskDto>())!.Pid;
            var figures = await RunWorkerAsync(path, service.Address, pid);
            var task = await service.GetAsync(pid);
            if (task.Status != "finished") throw new InvalidOperationException($"soak task {pid} ended {task.Status}: {task.Message}");
            Report(bench, name, figures, task.OpFinished, await ReportsReceivedAsync(service));
        }
    }

    private static async Task<Dictionary<string, double>> RunWorkerAsync(string path, Uri api, long pid)
    {
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
        info.Environment["BGTASK_PID"] = pid.ToString(CultureInfo.InvariantCulture);
        info.Environment["BGTASK_API_URL"] = api.AbsoluteUri;
        using var worker = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            var output = await worker.StandardOutput.ReadToEndAsync(timeout.Token);
            await worker.WaitForExitAsync(timeout.Token);
            if (worker.ExitCode != 0) throw new InvalidOperationException($"the soak worker exited with {worker.ExitCode}:\n{output}");
            return output.Split('\n').Where(l => l.StartsWith("soak ", StringComparison.Ordinal)).Select(l => l.Split(' '))
                .ToDictionary(p => p[1], p => double.Parse(p[2], CultureInfo.InvariantCulture));
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>The state reports the service took in (its bgtask.reports counter, from /metrics).</summary>
    private static async Task<double> ReportsReceivedAsync(ServiceProcess service)
    {
        var metrics = await service.Client.GetStringAsync("metrics");
        return metrics.Split('\n').Where(l => l.StartsWith("bgtask_reports_total", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
    }

    private static void Report(Bench bench, string name, Dictionary<string, double> figures, long opsSeen, double reports)
    {
        const double Mb = 1024 * 1024;
        var r = bench.Results;
        foreach (var (k, v) in figures) r.Add("soak", $"{name}_{k}", v);
        var heap = (figures["heap_end"] - figures["heap_warm"]) / Mb;
        var rss = (figures["rss_end"] - figures["rss_warm"]) / Mb;
        var target = name == "aot";
        r.Add("soak", $"{name}_heap_growth_mb", heap);
        r.Add("soak", $"{name}_rss_growth_mb", rss);
        r.Add("soak", $"{name}_ops_reported", opsSeen);
        r.Add("soak", $"{name}_reports_received", reports);
        var label = name.ToUpperInvariant();
        r.Line("soak", $"{label} worker, {Operations:#,0} ops in {figures["seconds"]:0.0} s, {reports:#,0} reports ({opsSeen:#,0} ops seen " +
            "by the service): managed heap growth after warm-up (first half)", $"{heap:0.00} MB",
            $"after warm-up {figures["heap_warm"] / Mb:0.0} MB", null, target ? "≤ 1 MB" : "-", target ? heap <= 1 : null);
        r.Line("soak", $"  {label} worker RSS growth after warm-up (first half)", $"{rss:0.00} MB",
            $"after warm-up {figures["rss_warm"] / Mb:0.0} MB", null, target ? "≤ 1 MB" : "-", target ? rss <= 1 : null);
    }
}
