using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// 10,000 external records on one node, each reporting once a second through the contract (<c>PUT state</c>),
/// simulated over a few keep-alive HTTP/1.1 connections with the reports spread evenly over each second. While they
/// report: the service's CPU and RSS, <c>GET /api/tasks/{pid}</c> p99 of random pids, and signal → seen p99 by held
/// <c>signals?clean=true&amp;wait=30</c> readers of 200 of the records. Records have no worker token (only
/// <c>process</c> launches mint one): their reporter is a client, here from loopback with no keys configured.
/// </summary>
public static class ScaleRecords
{
    private const int Records = 10_000;
    private const int ReportConnections = 64;
    private const int Readers = 200;
    private const double TargetRate = Records; // each record once a second
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(20);

    public static async Task RunAsync(Bench bench)
    {
        await using var service = await bench.StartServiceAsync();
        using var reports = Client(service.Address, ReportConnections);
        var pids = await CreateAsync(reports);

        var random = new Random(16);
        var held = random.GetItems(pids, Readers * 2).Distinct().Take(Readers).ToArray();
        using var readersClient = Client(service.Address, Readers + 1);
        using var stopReaders = new CancellationTokenSource();
        var seen = new ConcurrentDictionary<long, TaskCompletionSource<long>>();
        var readers = held.Select(pid => Task.Run(() => ReadAsync(readersClient, pid, seen, stopReaders.Token))).ToArray();

        var clock = Stopwatch.StartNew();
        var reporting = ReportAsync(reports, pids, clock);
        await Task.Delay(WarmUp);

        var (_, cpuBefore) = service.Usage();
        var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var windowClock = Stopwatch.StartNew();
        using var probes = Client(service.Address, 1);
        using var signaller = Client(service.Address, 1);
        var sampling = SampleRssAsync(service, windowClock);
        var gets = GetsAsync(probes, pids, windowClock);
        var signals = SignalsAsync(signaller, held, seen, windowClock);
        var (counted, failed) = await reporting;
        var (_, cpuAfter) = service.Usage();
        var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalSeconds / windowClock.Elapsed.TotalSeconds;
        var cores = (cpuAfter - cpuBefore) / windowClock.Elapsed.TotalSeconds;
        var getTimes = await gets;
        var (signalTimes, lost) = await signals;
        var rssPeak = await sampling;
        await stopReaders.CancelAsync();
        await Task.WhenAll(readers);

        var rate = counted / Window.TotalSeconds;
        var mb = rssPeak / 1024.0 / 1024;
        var (g50, g99) = (Stats.Percentile(getTimes, 50), Stats.Percentile(getTimes, 99));
        var (s50, s99) = (Stats.Percentile(signalTimes, 50), Stats.Percentile(signalTimes, 99));
        var r = bench.Results;
        r.Add("scale", "records_report_rate_per_s", rate);
        r.Add("scale", "records_report_failures", failed);
        r.Add("scale", "records_service_cpu_cores", cores);
        r.Add("scale", "records_bench_cpu_cores", benchCpu);
        r.Add("scale", "records_service_rss_peak_mb", mb);
        r.Add("scale", "records_get_p50_ms", g50);
        r.Add("scale", "records_get_p99_ms", g99);
        r.Add("scale", "records_signal_p50_ms", s50);
        r.Add("scale", "records_signal_p99_ms", s99);
        r.Add("scale", "records_signals_lost", lost);
        var title = $"{Records:#,0} external records on one node, {Window.TotalSeconds:0} s";
        r.Line("scale", $"{title}: reports/s achieved ({ReportConnections} connections{(failed > 0 ? $", {failed} failed" : "")})",
            Stats.N(rate, "/s"), $"asked {Stats.N(TargetRate, "/s")}", rate / TargetRate, "≥ 0.95× asked", rate >= 0.95 * TargetRate);
        r.Line("scale", $"  service CPU, cores (the bench's client: {benchCpu:0.00})", $"{cores:0.00}", target: "≤ 1 core", met: cores <= 1.0);
        r.Line("scale", "  service RSS, peak of 1 s samples", $"{mb:0} MB", target: "≤ 512 MB", met: mb <= 512);
        r.Line("scale", $"  GET /api/tasks/{{pid}} p99 (p50), {getTimes.Count} random pids", $"{Stats.Ms(g99)} ({Stats.Ms(g50)})",
            target: "p99 ≤ 20 ms", met: g99 <= 20);
        r.Line("scale", $"  signal → seen by a held reader p99 (p50), {signalTimes.Count} signals, {Readers} readers{(lost > 0 ? $", {lost} never seen" : "")}",
            $"{Stats.Ms(s99)} ({Stats.Ms(s50)})", target: "p99 ≤ 50 ms", met: s99 <= 50 && lost == 0);
    }

    private static HttpClient Client(Uri address, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };

    /// <summary>Creates the records, then starts them all (a started record comes under the heartbeat timeout).</summary>
    private static async Task<long[]> CreateAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        var pids = new long[Records];
        var options = new ParallelOptions { MaxDegreeOfParallelism = ReportConnections };
        await Parallel.ForEachAsync(Enumerable.Range(0, Records), options, async (i, ct) =>
        {
            using var created = await http.PostAsJsonAsync("api/tasks/records", new { description = $"scale record {i}" }, ct);
            created.EnsureSuccessStatusCode();
            pids[i] = (await created.Content.ReadFromJsonAsync<TaskDto>(ct))!.Pid;
        });
        var made = clock.Elapsed;
        await Parallel.ForEachAsync(pids, options, async (pid, ct) =>
        {
            using var started = await http.PostAsync($"api/tasks/{pid}/started", null, ct);
            started.EnsureSuccessStatusCode();
        });
        Console.WriteLine($"  created {Records:#,0} records in {made.TotalSeconds:0.0} s, started them in {(clock.Elapsed - made).TotalSeconds:0.0} s");
        return pids;
    }

    /// <summary>
    /// Report n goes to record n mod 10,000 at n/10,000 s after the start: every record once a second, the reports
    /// spread evenly over the second; a lane that falls behind sends at once. Counts the reports answered within
    /// the window (after the warm-up).
    /// </summary>
    private static async Task<(long Counted, long Failed)> ReportAsync(HttpClient http, long[] pids, Stopwatch clock)
    {
        long next = -1, counted = 0, failed = 0;
        var end = WarmUp + Window;
        var spacing = Stopwatch.Frequency / TargetRate;
        await Task.WhenAll(Enumerable.Range(0, ReportConnections).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                var due = (long)(n * spacing);
                var wait = due - clock.ElapsedTicks;
                if (wait > Stopwatch.Frequency / 1000) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                if (clock.Elapsed >= end) return;
                var body = Encoding.UTF8.GetBytes($"{{\"opTotal\":1000000,\"opFinished\":{n / Records + 1},\"status\":\"running\"}}");
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var response = await http.PutAsync($"api/tasks/{pids[n % Records]}/state", content);
                var at = clock.Elapsed;
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failed);
                else if (at >= WarmUp && at < end) Interlocked.Increment(ref counted);
            }
        })));
        return (counted, failed);
    }

    /// <summary>A held reader: consumes the record's signals, stamps when a read brings one, reads again.</summary>
    private static async Task ReadAsync(HttpClient http, long pid, ConcurrentDictionary<long, TaskCompletionSource<long>> seen,
        CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var asked = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync($"api/tasks/{pid}/signals?clean=true&wait=30", stop);
                response.EnsureSuccessStatusCode();
                using var signals = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(stop), cancellationToken: stop);
                var at = Stopwatch.GetTimestamp();
                if (signals.RootElement.GetArrayLength() > 0 && seen.TryGetValue(pid, out var waiter)) waiter.TrySetResult(at);
                // An empty answer at once means the record has ended (lost its heartbeat): no tight loop on it.
                else if (Stats.ElapsedMs(asked, at) < 1000) await Task.Delay(1000, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
        }
    }

    /// <summary>One signal at a time to a random held record, every 50 ms: send → its reader's answer.</summary>
    private static async Task<(List<double> Times, int Lost)> SignalsAsync(HttpClient http, long[] held,
        ConcurrentDictionary<long, TaskCompletionSource<long>> seen, Stopwatch window)
    {
        var times = new List<double>();
        var lost = 0;
        var random = new Random(7);
        while (window.Elapsed < Window - TimeSpan.FromSeconds(1))
        {
            var pid = held[random.Next(held.Length)];
            var waiter = seen[pid] = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            var before = Stopwatch.GetTimestamp();
            using (var sent = await http.PostAsJsonAsync($"api/tasks/{pid}/signals", new { signal = "bench.ping" }))
                if (!sent.IsSuccessStatusCode) waiter.TrySetException(new TimeoutException($"{sent.StatusCode}")); // an ended record: 409
            try
            {
                times.Add(Stats.ElapsedMs(before, await waiter.Task.WaitAsync(TimeSpan.FromSeconds(10))));
            }
            catch (TimeoutException)
            {
                lost++;
            }
            seen.TryRemove(pid, out _);
            await Task.Delay(50);
        }
        return (times, lost);
    }

    private static async Task<List<double>> GetsAsync(HttpClient http, long[] pids, Stopwatch window)
    {
        var times = new List<double>();
        var random = new Random(9);
        while (window.Elapsed < Window)
        {
            var start = Stopwatch.GetTimestamp();
            using (var response = await http.GetAsync($"api/tasks/{pids[random.Next(pids.Length)]}"))
            {
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            }
            times.Add(Stats.ElapsedMs(start, Stopwatch.GetTimestamp()));
            await Task.Delay(10);
        }
        return times;
    }

    private static async Task<long> SampleRssAsync(ServiceProcess service, Stopwatch window)
    {
        var peak = 0L;
        while (window.Elapsed < Window)
        {
            peak = Math.Max(peak, service.Usage().RssBytes);
            await Task.Delay(1000);
        }
        return Math.Max(peak, service.Usage().RssBytes);
    }
}
