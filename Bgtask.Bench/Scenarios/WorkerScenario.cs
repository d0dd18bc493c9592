using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bgtask.Bench.Scenarios;

/// <summary>RSS of an idle worker process (AOT and JIT), beside the minimal AOT program idle after its POST.</summary>
public static class WorkerScenario
{
    public static async Task RunAsync(Bench bench)
    {
        var floor = await FloorRssAsync(bench.Floor);
        bench.Results.Add("worker", "floor_rss_mb", floor);
        foreach (var (name, path) in new[] { ("aot", bench.AotWorker), ("jit", (string?)null) })
        {
            await using var service = await bench.StartServiceAsync(path);
            var task = await service.LaunchAsync("demo.count", "process", new { total = 1, delayMs = 600_000 });
            await Task.Delay(4000);
            var worker = ProcStat.Children(service.OsPid!.Value).FirstOrDefault();
            if (worker == 0) throw new InvalidOperationException("no worker process found under the service");
            var mb = ProcStat.Read(worker).RssBytes / 1024.0 / 1024;
            (await service.Client.PostAsync($"api/tasks/{task.Pid}/kill", null)).Dispose();
            bench.Results.Add("worker", $"{name}_idle_rss_mb", mb);
            bench.Results.Line("worker", $"idle worker RSS ({name.ToUpperInvariant()})", $"{mb:0.0} MB", $"minimal AOT program {floor:0.0} MB",
                mb / floor, name == "aot" ? "≤ 15 MB" : "-", name == "aot" ? mb <= 15 : null);
        }
    }

    private static async Task<double> FloorRssAsync(string floor)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var info = new ProcessStartInfo(floor) { UseShellExecute = false };
        info.Environment["BENCH_URL"] = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        info.Environment["BENCH_HOLD_MS"] = "5000";
        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var client = await listener.AcceptTcpClientAsync(timeout.Token);
        var stream = client.GetStream();
        _ = await stream.ReadAsync(new byte[4096], timeout.Token);
        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), timeout.Token);
        await Task.Delay(2000);
        var mb = ProcStat.Read(process.Id).RssBytes / 1024.0 / 1024;
        await process.WaitForExitAsync(timeout.Token);
        return mb;
    }
}
