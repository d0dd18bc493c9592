using System.Diagnostics;
using System.Globalization;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// What an idle service costs: the service (Release, empty SQLite database, nothing running) beside an empty
/// ASP.NET Core app (Bgtask.Bench/MinimalApi, the service's GC settings), both started with dotnet and measured
/// side by side over the same window after a settle period: RSS (VmRSS, the median of one sample a second) and
/// CPU time (utime + stime) over the window, as a percentage of one core.
/// </summary>
public static class IdleScenario
{
    // 30 s: past the start's tier-up of hot methods (measured: the JIT's tiering thread is quiet by then).
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);
    // 30 s: a clock tick (10 ms) is then 0.03 % of a core, fine enough against the 0.2 % target.
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private const double RssTarget = 1.3;
    private const double CpuTarget = 0.2;

    public static async Task RunAsync(Bench bench)
    {
        await using var service = await bench.StartServiceAsync();
        await using var minimal = await MinimalApp.StartAsync(bench.MinimalApiDll);
        await Task.Delay(Settle);

        var pids = new[] { service.OsPid!.Value, minimal.Pid };
        var cpuBefore = pids.Select(p => ProcStat.Read(p).CpuSeconds).ToArray();
        var rss = pids.Select(_ => new List<double>()).ToArray();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Window)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            for (var i = 0; i < pids.Length; i++) rss[i].Add(ProcStat.Read(pids[i]).RssBytes / 1048576.0);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = pids.Select((p, i) => (ProcStat.Read(p).CpuSeconds - cpuBefore[i]) / seconds * 100).ToArray();
        var (serviceRss, minimalRss) = (Stats.Percentile(rss[0], 50), Stats.Percentile(rss[1], 50));

        var r = bench.Results;
        r.Add("idle", "service_rss_mb", serviceRss);
        r.Add("idle", "minimal_rss_mb", minimalRss);
        r.Add("idle", "rss_ratio", serviceRss / minimalRss);
        r.Add("idle", "service_cpu_percent", cpu[0]);
        r.Add("idle", "minimal_cpu_percent", cpu[1]);
        r.Line("idle", "idle RSS", Mb(serviceRss), $"minimal ASP.NET Core app {Mb(minimalRss)}", serviceRss / minimalRss,
            $"≤ {RssTarget:0.0}× minimal app", serviceRss / minimalRss <= RssTarget);
        r.Line("idle", $"idle CPU ({seconds:0} s window)", Percent(cpu[0]), $"minimal ASP.NET Core app {Percent(cpu[1])}",
            cpu[1] > 0 ? cpu[0] / cpu[1] : null, $"≤ {CpuTarget:0.0} % of a core", cpu[0] <= CpuTarget);
    }

    private static string Mb(double mb) => mb.ToString("0", CultureInfo.InvariantCulture) + " MB";

    private static string Percent(double p) => p.ToString("0.00", CultureInfo.InvariantCulture) + " % of a core";

    /// <summary>The minimal app as a child process on a free loopback port, stopped by its pid.</summary>
    private sealed class MinimalApp : IAsyncDisposable
    {
        private readonly Process _process;

        private MinimalApp(Process process) => _process = process;

        public int Pid => _process.Id;

        public static async Task<MinimalApp> StartAsync(string dll)
        {
            var url = $"http://127.0.0.1:{Loopback.FreePort()}";
            var info = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            info.ArgumentList.Add(dll);
            info.Environment["ASPNETCORE_URLS"] = url;
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            // As quiet as the service is in the bench (warnings and up).
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var app = new MinimalApp(process);
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
                var clock = Stopwatch.StartNew();
                while (true)
                {
                    if (process.HasExited) throw new InvalidOperationException($"the minimal app exited with {process.ExitCode} at start");
                    if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the minimal app did not get ready in 60 s");
                    try
                    {
                        using var ready = await http.GetAsync("health/ready");
                        if (ready.IsSuccessStatusCode) return app;
                    }
                    catch (HttpRequestException) { }
                    await Task.Delay(100);
                }
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}
