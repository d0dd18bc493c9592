using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bgtask.Bench.Scenarios;

/// <summary>POST /api/tasks → the task's running report, beside the floor: spawn of a minimal AOT program → its POST.</summary>
public static class LaunchScenario
{
    private const int Launches = 50;
    private const int Warmup = 3;

    public static async Task RunAsync(Bench bench)
    {
        var floor = await FloorAsync(bench.Floor);
        var r = bench.Results;
        r.Add("launch", "floor_p50_ms", Stats.Percentile(floor, 50));
        r.Add("launch", "floor_p95_ms", Stats.Percentile(floor, 95));

        foreach (var (name, worker) in new[] { ("process", bench.AotWorker), ("process_jit", (string?)null) })
        {
            await using var service = await bench.StartServiceAsync(worker);
            var times = await LaunchesAsync(service, "process");
            Report(bench, name, times, floor, name == "process" ? 2.0 : null);
            if (name == "process")
            {
                var inprocess = await LaunchesAsync(service, "inprocess");
                Report(bench, "inprocess", inprocess, floor, null);
            }
        }
    }

    private static void Report(Bench bench, string name, List<double> times, List<double> floor, double? target)
    {
        var (p50, p95, f50) = (Stats.Percentile(times, 50), Stats.Percentile(times, 95), Stats.Percentile(floor, 50));
        bench.Results.Add("launch", $"{name}_p50_ms", p50);
        bench.Results.Add("launch", $"{name}_p95_ms", p95);
        bench.Results.Add("launch", $"{name}_ratio_to_floor", p50 / f50);
        bench.Results.Line("launch", $"{name} POST → running, p50 (p95)", $"{Stats.Ms(p50)} ({Stats.Ms(p95)})",
            $"floor p50 {Stats.Ms(f50)} (p95 {Stats.Ms(Stats.Percentile(floor, 95))})", p50 / f50,
            target is { } t ? $"≤ {t:0}× floor" : "-", target is { } t2 ? p50 / f50 <= t2 : null);
    }

    /// <summary>One launch at a time: client clock before the POST → the service's startedAt stamp.</summary>
    private static async Task<List<double>> LaunchesAsync(ServiceProcess service, string launcher)
    {
        var times = new List<double>();
        var budget = Stopwatch.StartNew();
        for (var i = 0; i < Launches + Warmup && budget.Elapsed < TimeSpan.FromMinutes(2); i++)
        {
            var before = DateTime.UtcNow;
            var task = await service.LaunchAsync("demo.count", launcher, new { total = 0, delayMs = 0 });
            var ended = await service.WaitEndedAsync(task.Pid, TimeSpan.FromSeconds(30));
            if (ended.StartedAt is not { } started) throw new InvalidOperationException($"task {task.Pid} never started: {ended.Status} {ended.Message}");
            if (i >= Warmup) times.Add((started.ToUniversalTime() - before).TotalMilliseconds);
        }
        return times;
    }

    /// <summary>Spawn → POST received on a loopback listener, for the minimal Native AOT program.</summary>
    public static async Task<List<double>> FloorAsync(string floor)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        var times = new List<double>();
        for (var i = 0; i < Launches + Warmup; i++)
        {
            var info = new ProcessStartInfo(floor) { UseShellExecute = false };
            info.Environment["BENCH_URL"] = url;
            var start = Stopwatch.GetTimestamp();
            using var process = Process.Start(info)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var client = await listener.AcceptTcpClientAsync(timeout.Token);
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), timeout.Token);
                if (n == 0) break;
                read += n;
                if (System.Text.Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n")) break;
            }
            var received = Stopwatch.GetTimestamp();
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            if (i >= Warmup) times.Add(Stats.ElapsedMs(start, received));
        }
        return times;
    }
}
