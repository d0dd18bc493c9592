using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// Two nodes in cluster mode over a 3-node Galera cluster (on 127.0.0.31-33, its own) behind haproxy, each figure beside
/// the same one on one node in the same run: a signal sent through node B → seen by a held read on node A; a kill
/// through B → the worker's process on A's host gone; a change stored through A → its event on B's stream; the cost
/// of causal reads on GET (a cluster node against a node without cluster mode over the same database); state reports/s
/// through both nodes (written through, as cluster mode does) beside raw single-row UPDATEs on the same Galera node;
/// and the time from a node's SIGKILL to its in-process task ending "node lost" on the survivor.
/// </summary>
public static class ClusterScenario
{
    private const int Samples = 100;
    private const int Kills = 20;
    private const int Gets = 300;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    public static async Task RunAsync(Bench bench)
    {
        var r = bench.Results;
        using var galera = await GaleraCluster.StartAsync(["127.0.0.31", "127.0.0.32", "127.0.0.33"]);
        await using var cluster = await BgtaskCluster.StartAsync(galera, new BgtaskClusterOptions
        {
            ServiceFolder = Path.GetDirectoryName(bench.ApiDll),
            Settings = new Dictionary<string, string>
            {
                ["Worker:Path"] = bench.AotWorker,
                ["Cluster:Lease"] = Lease.ToString(),
                ["Tasks:SweepInterval"] = "00:00:00.250",
                ["Tasks:MaxRunning"] = "5000",
            },
        });
        var (a, b) = (cluster.Node(1), cluster.Node(2));
        await WaitUntilPeersAsync(a, b);

        var (sameSignal, crossSignal) = (await SignalTimesAsync(a, a), await SignalTimesAsync(a, b));
        Report(r, "signal_via_b", "signal via node B → held read on node A", crossSignal, "via node A", sameSignal, 50);

        var (sameKill, crossKill) = (await KillTimesAsync(a, a, cluster.BalancerAddress), await KillTimesAsync(a, b, cluster.BalancerAddress));
        Report(r, "kill_via_b", "kill via node B → tree gone on node A's host", crossKill, "via node A", sameKill, 250);

        var (sameEvent, crossEvent) = (await EventTimesAsync(a, a), await EventTimesAsync(a, b));
        Report(r, "event_a_to_b", "write on node A → event on node B", crossEvent, "on node A", sameEvent, 100);

        await CausalReadCostAsync(bench, r, cluster, a);
        await LaunchRateAsync(r, cluster, a);
        await ReportRateAsync(r, cluster, a, b);
        await NodeLostAsync(r, cluster, a, b);
    }

    private static void Report(Results r, string key, string what, List<double> times, string reference, List<double> baseline,
        double targetP99)
    {
        var (p50, p99) = (Stats.Percentile(times, 50), Stats.Percentile(times, 99));
        var (b50, b99) = (Stats.Percentile(baseline, 50), Stats.Percentile(baseline, 99));
        r.Add("cluster", $"{key}_p50_ms", p50);
        r.Add("cluster", $"{key}_p99_ms", p99);
        r.Add("cluster", $"{key}_one_node_p99_ms", b99);
        r.Line("cluster", $"{what}, p50 (p99)", $"{Stats.Ms(p50)} ({Stats.Ms(p99)})", $"{reference} {Stats.Ms(b50)} ({Stats.Ms(b99)})",
            b99 > 0 ? p99 / b99 : null, $"p99 ≤ {targetP99} ms", p99 <= targetP99);
    }

    private static async Task WaitUntilPeersAsync(params HttpClient[] nodes)
    {
        var deadline = Stopwatch.StartNew();
        foreach (var node in nodes)
            while (deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                using var doc = JsonDocument.Parse(await node.GetStringAsync("api/nodes"));
                if (doc.RootElement.EnumerateArray().Count(n => n.GetProperty("live").GetBoolean()) >= nodes.Length) break;
                await Task.Delay(100);
            }
        await Task.Delay(Lease / 2); // each learns its peers at its next renewal
    }

    private static async Task<long> RecordAsync(HttpClient node)
    {
        using var response = await node.PostAsJsonAsync("api/tasks/records", new { description = "cluster bench" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TaskDto>())!.Pid;
    }

    /// <summary>A held read of a record on <paramref name="holder"/>; the signal sent through <paramref name="sender"/>.</summary>
    private static async Task<List<double>> SignalTimesAsync(HttpClient holder, HttpClient sender)
    {
        var pid = await RecordAsync(holder);
        var times = new List<double>();
        for (var i = 0; i < Samples + 5; i++)
        {
            var read = holder.GetAsync($"api/tasks/{pid}/signals?clean=true&wait=30");
            await Task.Delay(20); // held
            var start = Stopwatch.GetTimestamp();
            using (var sent = await sender.PostAsJsonAsync($"api/tasks/{pid}/signals", new { signal = $"bench.s{i}" })) sent.EnsureSuccessStatusCode();
            using var answered = await read;
            answered.EnsureSuccessStatusCode();
            if (i >= 5) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }

    private static async Task<List<double>> KillTimesAsync(HttpClient owner, HttpClient killer, Uri balancer)
    {
        var times = new List<double>();
        for (var i = 0; i < Kills; i++)
        {
            using var launched = await owner.PostAsJsonAsync("api/tasks",
                new { task = "demo.count", launcher = "process", config = new { total = 1_000_000, delayMs = 50 } });
            launched.EnsureSuccessStatusCode();
            var pid = (await launched.Content.ReadFromJsonAsync<TaskDto>())!.Pid;
            var osPid = await WorkerProcesses.WaitForAsync(balancer, pid);
            while ((await owner.GetFromJsonAsync<TaskDto>($"api/tasks/{pid}"))!.Status != "running") await Task.Delay(20);
            var start = Stopwatch.GetTimestamp();
            using (var killed = await killer.PostAsync($"api/tasks/{pid}/kill", null)) killed.EnsureSuccessStatusCode();
            while (Directory.Exists($"/proc/{osPid}") && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10)) await Task.Delay(1);
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }

    /// <summary>A record's report stored through <paramref name="writer"/>, until its event on <paramref name="watcher"/>'s stream.</summary>
    private static async Task<List<double>> EventTimesAsync(HttpClient writer, HttpClient watcher)
    {
        var pid = await RecordAsync(writer);
        using (var started = await writer.PostAsync($"api/tasks/{pid}/started", null)) started.EnsureSuccessStatusCode();
        using var stream = await watcher.GetAsync($"api/tasks/{pid}/events", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        var times = new List<double>();
        for (var done = 1; done <= Samples + 5; done++)
        {
            var start = Stopwatch.GetTimestamp();
            using (var put = await writer.PutAsJsonAsync($"api/tasks/{pid}/state", new { opTotal = 1000, opFinished = done }))
                put.EnsureSuccessStatusCode();
            var marker = $"\"opFinished\":{done},";
            while (await reader.ReadLineAsync() is { } line && !(line.StartsWith("data:") && line.Contains(marker))) { }
            if (done > 5) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }

    private static async Task CausalReadCostAsync(Bench bench, Results r, BgtaskCluster cluster, HttpClient node)
    {
        // A node without cluster mode over the same database: the same GET without the causal read's round trip.
        await using var plain = await bench.StartServiceAsync(settings: new Dictionary<string, string>
        {
            ["Storage:Provider"] = "MySql",
            ["Storage:MySql:ServerVersion"] = cluster.Galera.ServerVersion,
            ["ConnectionStrings:Bgtask"] = cluster.ConnectionString,
            ["Storage:MigrateOnStart"] = "false",
        });
        var pid = await RecordAsync(node);
        var (causal, without) = (await GetTimesAsync(node, pid), await GetTimesAsync(plain.Client, pid));
        var (c50, w50) = (Stats.Percentile(causal, 50), Stats.Percentile(without, 50));
        r.Add("cluster", "get_causal_p50_ms", c50);
        r.Add("cluster", "get_plain_p50_ms", w50);
        r.Line("cluster", "GET /api/tasks/{pid} with causal reads, p50 (p99)", $"{Stats.Ms(c50)} ({Stats.Ms(Stats.Percentile(causal, 99))})",
            $"without {Stats.Ms(w50)} ({Stats.Ms(Stats.Percentile(without, 99))})", w50 > 0 ? c50 / w50 : null);
    }

    private static async Task<List<double>> GetTimesAsync(HttpClient client, long pid)
    {
        var times = new List<double>();
        for (var i = 0; i < Gets + 20; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync($"api/tasks/{pid}");
            response.EnsureSuccessStatusCode();
            if (i >= 20) times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        return times;
    }

    /// <summary>In-process launches/s (16 at a time, each run to its end) through the balancer (two nodes) and to one node.</summary>
    private static async Task LaunchRateAsync(Results r, BgtaskCluster cluster, HttpClient one)
    {
        async Task<double> RateAsync(HttpClient client)
        {
            const int Count = 400;
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
            {
                using var response = await client.PostAsJsonAsync("api/tasks",
                    new { task = "demo.count", launcher = "inprocess", config = new { total = 1, delayMs = 0 } }, ct);
                response.EnsureSuccessStatusCode();
            });
            return Count / clock.Elapsed.TotalSeconds;
        }
        await RateAsync(one); // warm-up
        var (single, both) = (await RateAsync(one), await RateAsync(cluster.Balancer));
        r.Add("cluster", "launches_per_s_two_nodes", both);
        r.Add("cluster", "launches_per_s_one_node", single);
        r.Line("cluster", "launches/s through the balancer, two nodes", Stats.N(both, "/s"), $"one node {Stats.N(single, "/s")}",
            single > 0 ? both / single : null);
    }

    /// <summary>
    /// The <c>updates</c> scenario's loop in cluster mode: reporter i sends through node A or B by turns (a worker's
    /// reports reach whichever node the balancer picks), against the same concurrency of raw UPDATEs on the Galera
    /// node both replicas write to.
    /// </summary>
    private static async Task ReportRateAsync(Results r, BgtaskCluster cluster, HttpClient a, HttpClient b)
    {
        foreach (var concurrency in new[] { 16, 64 })
        {
            var pids = new List<long>();
            for (var i = 0; i < concurrency; i++) pids.Add(await RecordAsync(a));
            var through = pids.Select((pid, i) => (pid, node: i % 2 == 0 ? a : b)).ToDictionary(p => p.pid, p => p.node);
            var api = await UpdatesScenario.RateAsync(pids, async (pid, n) =>
            {
                using var body = new StringContent($"{{\"opTotal\":0,\"opFinished\":{n},\"status\":\"running\"}}",
                    System.Text.Encoding.UTF8, "application/json");
                using var response = await through[pid].PutAsync($"api/tasks/{pid}/state", body);
                response.EnsureSuccessStatusCode();
            });
            var raw = await UpdatesScenario.RawMySqlAsync(cluster.ConnectionString, pids);
            r.Add("cluster", $"reports_{concurrency}_per_s", api);
            r.Add("cluster", $"reports_{concurrency}_raw_update_per_s", raw);
            r.Line("cluster", $"Galera, {concurrency} reporters over two nodes: reports/s", Stats.N(api, "/s"),
                $"raw UPDATE {Stats.N(raw, "/s")}", raw > 0 ? api / raw : null, "≥ 1.0×", api / raw >= 1.0);
        }
    }

    private static async Task NodeLostAsync(Results r, BgtaskCluster cluster, HttpClient a, HttpClient b)
    {
        using var launched = await a.PostAsJsonAsync("api/tasks",
            new { task = "demo.count", launcher = "inprocess", config = new { total = 1_000_000, delayMs = 50 } });
        launched.EnsureSuccessStatusCode();
        var pid = (await launched.Content.ReadFromJsonAsync<TaskDto>())!.Pid;
        await Task.Delay(500);
        var start = Stopwatch.GetTimestamp();
        cluster.Kill(1);
        TaskDto task;
        do
        {
            await Task.Delay(50);
            task = (await b.GetFromJsonAsync<TaskDto>($"api/tasks/{pid}"))!;
        } while (task.Status == "running" && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(60));
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        r.Add("cluster", "node_lost_s", seconds);
        r.Line("cluster", $"node SIGKILL → its in-process task {task.Status} ({task.Message}) on the survivor",
            $"{seconds:0.00} s", $"lease {Lease.TotalSeconds:0} s", seconds / Lease.TotalSeconds,
            "after the lease, within lease + 2 sweeps", task.Message == "node lost" && seconds >= Lease.TotalSeconds * 2 / 3 && seconds <= Lease.TotalSeconds + 1.5);
    }
}
