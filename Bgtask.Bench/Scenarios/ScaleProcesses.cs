using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// 1,000 live Native AOT worker processes on one host: launched (POST, 16 at a time) until all are <c>running</c>,
/// all sent <c>sleep</c> until all are <c>sleeping</c> (a worker applies it at its next check-point, at most 5 s away,
/// and reports at once), then <c>continue</c> until all are <c>running</c> again, then all killed; every worker's OS
/// process (found before the kill, by the <c>BGTASK_PID</c> the service gave it) must be gone.
/// </summary>
public static class ScaleProcesses
{
    private const int Workers = 1000;
    private static readonly TimeSpan LaunchBound = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan SignalBound = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CpuWindow = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(Bench bench)
    {
        await using var service = await bench.StartServiceAsync(bench.AotWorker, settings: [new("Tasks:MaxRunning", $"{Workers * 2}")]);
        var http = service.Client;
        var options = new ParallelOptions { MaxDegreeOfParallelism = 16 };
        var pids = new System.Collections.Concurrent.ConcurrentBag<long>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Workers), options, async (_, _) =>
            pids.Add((await service.LaunchAsync("demo.count", "process", new { total = 1_000_000, delayMs = 5000 })).Pid));
        var posted = clock.Elapsed;
        var running = await WaitCountAsync(http, "running", clock, LaunchBound);
        var launched = clock.Elapsed;
        Console.WriteLine($"  posted {Workers} launches in {posted.TotalSeconds:0.0} s; {running} running after {launched.TotalSeconds:0.0} s");

        var osPids = WorkerProcessesOf(service.OsPid!.Value, pids.ToHashSet());
        var serviceRss = service.Usage().RssBytes / 1024.0 / 1024;
        var workersRss = osPids.Keys.Sum(Rss) / 1024.0 / 1024;
        var (serviceCores, workersCores) = await CpuAsync(service.OsPid!.Value, osPids.Keys);

        var sleep = await SignalAllAsync(http, pids, "sleep", "sleeping", options);
        var wake = await SignalAllAsync(http, pids, "continue", "running", options);

        var lost = await CountAsync(http, "error");
        clock.Restart();
        await Parallel.ForEachAsync(pids, options, async (pid, ct) => (await http.PostAsync($"api/tasks/{pid}/kill", null, ct)).Dispose());
        var killed = clock.Elapsed;
        var left = await LeftAsync(osPids, TimeSpan.FromSeconds(10));
        foreach (var osPid in left) WorkerProcesses.Kill(osPid); // the bench leaves none behind either way

        var r = bench.Results;
        r.Add("scale", "processes_running", running);
        r.Add("scale", "processes_launch_s", launched.TotalSeconds);
        r.Add("scale", "processes_os_found", osPids.Count);
        r.Add("scale", "processes_service_rss_mb", serviceRss);
        r.Add("scale", "processes_workers_rss_mb", workersRss);
        r.Add("scale", "processes_service_cpu_cores", serviceCores);
        r.Add("scale", "processes_workers_cpu_cores", workersCores);
        r.Add("scale", "processes_sleep_seen_s", sleep.Seconds);
        r.Add("scale", "processes_continue_seen_s", wake.Seconds);
        r.Add("scale", "processes_kill_s", killed.TotalSeconds);
        r.Add("scale", "processes_left", left.Count);
        r.Add("scale", "processes_lost", lost);
        var title = $"{Workers:#,0} live AOT worker processes on one host";
        r.Line("scale", $"{title}: all running after", $"{launched.TotalSeconds:0.0} s ({running} of {Workers})",
            target: $"all within {LaunchBound.TotalSeconds:0} s", met: running == Workers && launched <= LaunchBound);
        r.Line("scale", $"  service RSS (workers' RSS summed, {osPids.Count} processes)", $"{serviceRss:0} MB ({workersRss:#,0} MB)");
        r.Line("scale", $"  CPU while all run, cores, {CpuWindow.TotalSeconds:0} s: service (workers summed)", $"{serviceCores:0.00} ({workersCores:0.00})");
        r.Line("scale", $"  sleep → all sleeping; continue → all running{(lost > 0 ? $" ({lost} lost: error)" : "")}",
            $"{sleep.Seconds:0.0} s ({sleep.Count}); {wake.Seconds:0.0} s ({wake.Count})",
            target: $"all, each within {SignalBound.TotalSeconds:0} s", met: sleep.Count == Workers && wake.Count == Workers);
        r.Line("scale", $"  kill all ({killed.TotalSeconds:0.0} s): OS processes left", $"{left.Count} of {osPids.Count}",
            target: "none", met: left.Count == 0 && osPids.Count == Workers);
    }

    /// <summary>Sends the signal to every task, then waits until all show the status it leads to.</summary>
    private static async Task<(double Seconds, int Count)> SignalAllAsync(HttpClient http, IEnumerable<long> pids, string signal,
        string status, ParallelOptions options)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(pids, options, async (pid, ct) =>
        {
            // A task lost meanwhile answers 409: it then never shows the status, which the count says.
            using var sent = await http.PostAsJsonAsync($"api/tasks/{pid}/signals", new { signal }, ct);
        });
        var count = await WaitCountAsync(http, status, clock, SignalBound);
        return (clock.Elapsed.TotalSeconds, count);
    }

    /// <summary>
    /// Polls the list until every task has the status or has ended in error (a worker lost: it can never get there),
    /// or the bound; answers how many have the status.
    /// </summary>
    private static async Task<int> WaitCountAsync(HttpClient http, string status, Stopwatch clock, TimeSpan bound)
    {
        while (true)
        {
            var count = await CountAsync(http, status);
            if (count >= Workers || clock.Elapsed > bound || count + await CountAsync(http, "error") >= Workers) return count;
            await Task.Delay(250);
        }
    }

    /// <summary>Tasks with the status, from the list, 500 a page.</summary>
    private static async Task<int> CountAsync(HttpClient http, string status)
    {
        var count = 0;
        string? after = null;
        do
        {
            using var page = await http.GetFromJsonAsync<JsonDocument>($"api/tasks?status={status}&limit=500{(after is null ? "" : $"&after={after}")}");
            count += page!.RootElement.GetProperty("items").GetArrayLength();
            var next = page.RootElement.GetProperty("next");
            after = next.ValueKind == JsonValueKind.Null ? null : next.ToString();
        } while (after is not null);
        return count;
    }

    /// <summary>The service's child processes that run one of these tasks (BGTASK_PID in their environment), by OS pid.</summary>
    private static Dictionary<int, long> WorkerProcessesOf(int service, HashSet<long> pids)
    {
        var found = new Dictionary<int, long>();
        foreach (var osPid in ProcStat.Children(service))
            if (TaskOf(osPid) is { } pid && pids.Contains(pid)) found[osPid] = pid;
        return found;
    }

    private static long? TaskOf(int osPid)
    {
        try
        {
            foreach (var entry in File.ReadAllText($"/proc/{osPid}/environ").Split('\0'))
                if (entry.StartsWith("BGTASK_PID=", StringComparison.Ordinal) && long.TryParse(entry["BGTASK_PID=".Length..], out var pid))
                    return pid;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>CPU (user + system) over <see cref="CpuWindow"/>, in cores: the service's, and its workers' summed.</summary>
    private static async Task<(double Service, double Workers)> CpuAsync(int service, IEnumerable<int> workers)
    {
        var ids = workers.ToList();
        double Sum() => ids.Sum(id => { try { return ProcStat.Read(id).CpuSeconds; } catch (IOException) { return 0; } });
        var (serviceBefore, workersBefore) = (ProcStat.Read(service).CpuSeconds, Sum());
        var clock = Stopwatch.StartNew();
        await Task.Delay(CpuWindow);
        var seconds = clock.Elapsed.TotalSeconds;
        return ((ProcStat.Read(service).CpuSeconds - serviceBefore) / seconds, (Sum() - workersBefore) / seconds);
    }

    private static long Rss(int osPid)
    {
        try { return ProcStat.Read(osPid).RssBytes; }
        catch (IOException) { return 0; }
    }

    /// <summary>
    /// The worker processes still there (the same OS pid with the same task in its environment, or a zombie nobody
    /// reaped), after waiting up to <paramref name="grace"/> for them to go.
    /// </summary>
    private static async Task<List<int>> LeftAsync(Dictionary<int, long> workers, TimeSpan grace)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = workers.Where(w => IsThere(w.Key, w.Value)).Select(w => w.Key).ToList();
            if (left.Count == 0 || clock.Elapsed > grace) return left;
            await Task.Delay(200);
        }
    }

    private static bool IsThere(int osPid, long pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{osPid}/stat"); }
        catch (IOException) { return false; }
        // A zombie has no environment left to read; its state (the field after the name) is Z.
        if (stat[stat.LastIndexOf(')') + 2] == 'Z') return true;
        return TaskOf(osPid) == pid;
    }
}
