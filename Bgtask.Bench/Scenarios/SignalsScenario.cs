using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Bgtask.Api.Launches;
using Bgtask.Api.Telemetry;
using Bgtask.Core.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// Signal sent → task sees it with 100 and 1,000 running (idle, waiting) tasks; and the requests/s the
/// service serves while waiting workers are idle (real AOT worker processes, counted by the service: HTTP requests
/// and worker channel messages).
/// </summary>
public static class SignalsScenario
{
    private const int Samples = 100;
    private const int IdleWorkers = 20;
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(20);

    public static async Task RunAsync(Bench bench)
    {
        var r = bench.Results;
        foreach (var running in new[] { 100, 1000 })
        {
            using var host = InProcessHost.Start();
            using var http = new HttpClient { BaseAddress = host.Address };
            var launches = host.Services.GetRequiredService<LaunchService>();
            var tasks = await launches.LaunchManyAsync(
                Enumerable.Range(0, running).Select(_ => new LaunchTaskRequest("bench.wait", "inprocess")).ToList(), CancellationToken.None);
            var pids = tasks.Select(t => t.Id).ToList();
            var deadline = Stopwatch.StartNew();
            while (pids.Any(p => !Stamps.Started.ContainsKey(p)) && deadline.Elapsed < TimeSpan.FromSeconds(120)) await Task.Delay(50);
            await Task.Delay(1000); // every runner now holds its signals wait
            // The sample is spread over the whole set; the others keep waiting.
            var sample = pids.Where((_, i) => i % (running / Samples) == 0).Take(Samples).ToList();
            var times = await StopEachAsync(http, sample);
            var (p50, p99) = (Stats.Percentile(times, 50), Stats.Percentile(times, 99));
            r.Add("signals", $"running_{running}_p50_ms", p50);
            r.Add("signals", $"running_{running}_p99_ms", p99);
            r.Line("signals", $"signal → seen, {running} running, p50 (p99)", $"{Stats.Ms(p50)} ({Stats.Ms(p99)})",
                target: "p99 ≤ 50 ms", met: running == 1000 ? p99 <= 50 : null);
        }

        // Idle load: AOT worker processes waiting for a signal (demo.count, one long operation), on a host that
        // counts the requests it serves.
        using var counted = InProcessHost.Start(bench.AotWorker);
        using var client = new HttpClient { BaseAddress = counted.Address };
        var idle = new List<long>();
        for (var i = 0; i < IdleWorkers; i++)
        {
            using var launched = await client.PostAsJsonAsync("api/tasks", new { task = "demo.count", launcher = "process", config = new { total = 1, delayMs = 600_000 } });
            idle.Add((await launched.Content.ReadFromJsonAsync<TaskDto>())!.Pid);
        }
        await Task.Delay(3000);
        // A worker on the channel sends its heartbeat as a message, not a request: both count.
        long messages = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BgtaskMetrics.Name && instrument.Name == BgtaskMetrics.ChannelMessagesName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref messages, value));
        var before = counted.Requests;
        listener.Start();
        var clock = Stopwatch.StartNew();
        await Task.Delay(IdleWindow);
        listener.Dispose();
        var (requests, seconds) = (counted.Requests - before, clock.Elapsed.TotalSeconds);
        var perWorker = (requests + Interlocked.Read(ref messages)) / seconds / IdleWorkers;
        foreach (var pid in idle) (await client.PostAsync($"api/tasks/{pid}/kill", null)).Dispose();
        r.Add("signals", "idle_requests_per_s_per_worker", perWorker);
        r.Add("signals", "idle_channel_messages_per_s_per_worker", Interlocked.Read(ref messages) / seconds / IdleWorkers);
        r.Line("signals", $"requests + channel messages/s per idle waiting worker ({IdleWorkers} AOT workers, {IdleWindow.TotalSeconds:0} s)",
            Stats.N(perWorker, "/s"), "polling every 250 ms: 4/s", perWorker / 4, "no polling: ≤ 0.5/s (held wait + 5 s heartbeat)", perWorker <= 0.5);
    }

    /// <summary>Sends stop to each task in turn (client → HTTP) and measures until its token fired.</summary>
    public static async Task<List<double>> StopEachAsync(HttpClient http, IEnumerable<long> pids)
    {
        var times = new List<double>();
        foreach (var pid in pids)
        {
            var before = Stopwatch.GetTimestamp();
            using var response = await http.PostAsJsonAsync($"api/tasks/{pid}/signals", new { signal = "stop" });
            response.EnsureSuccessStatusCode();
            var deadline = Stopwatch.StartNew();
            long at;
            while (!Stamps.SawStop.TryGetValue(pid, out at))
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"task {pid} never saw its stop");
                await Task.Delay(1);
            }
            times.Add(Stats.ElapsedMs(before, at));
        }
        return times;
    }
}
