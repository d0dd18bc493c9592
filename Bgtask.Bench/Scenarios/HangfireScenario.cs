using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Bgtask.Api.Launches;
using Bgtask.Core.Contracts;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// In-process launch → start, one at a time and a batch of 1,000, through Bgtask's in-process API and HTTP,
/// beside Hangfire enqueue → start in the same process, on two storages measured in the same run: InMemory (stores
/// nothing durable) and SQLite (<c>Hangfire.Storage.SQLite</c>, each enqueue a durable commit, as Bgtask's launch);
/// and stop → seen beside Hangfire's delete of a running job → its token.
/// </summary>
public static class HangfireScenario
{
    private const int OneAtATime = 200;
    private const int Batch = 1000;
    private const int Stops = 20;

    public static async Task RunAsync(Bench bench)
    {
        var r = bench.Results;
        var (hfSingle, hfBatchRate) = HangfirePeer(new InMemoryStorage());
        var hfStop = HangfireStops(new InMemoryStorage());
        var (sqSingle, sqBatchRate) = HangfireSqlite();
        using var host = InProcessHost.Start();
        var launches = host.Services.GetRequiredService<LaunchService>();
        using var http = new HttpClient { BaseAddress = host.Address };

        var apiSingle = await SinglesAsync(pid => pid, () => launches.LaunchAsync(new LaunchTaskRequest("bench.mark", "inprocess"), CancellationToken.None)
            .ContinueWith(t => t.Result.Tasks[0].Id));
        var httpSingle = await SinglesAsync(pid => pid, async () =>
        {
            using var response = await http.PostAsJsonAsync("api/tasks", new { task = "bench.mark", launcher = "inprocess" });
            return (await response.Content.ReadFromJsonAsync<TaskDto>())!.Pid;
        });
        var apiBatch = await BatchAsync(async () => (await launches.LaunchManyAsync(
            Enumerable.Range(0, Batch).Select(_ => new LaunchTaskRequest("bench.mark", "inprocess")).ToList(), CancellationToken.None)).Select(t => t.Id).ToList());
        var httpBatch = await BatchAsync(async () =>
        {
            var pids = new ConcurrentBag<long>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Batch), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
            {
                using var response = await http.PostAsJsonAsync("api/tasks", new { task = "bench.mark", launcher = "inprocess" }, ct);
                pids.Add((await response.Content.ReadFromJsonAsync<TaskDto>(ct))!.Pid);
            });
            return pids.ToList();
        });
        var stop = await StopsAsync(http);

        var h50 = Stats.Percentile(hfSingle, 50);
        var h99 = Stats.Percentile(hfSingle, 99);
        var d50 = Stats.Percentile(sqSingle, 50);
        var d99 = Stats.Percentile(sqSingle, 99);
        r.Add("hangfire", "hangfire_enqueue_start_p50_ms", h50);
        r.Add("hangfire", "hangfire_enqueue_start_p99_ms", h99);
        r.Add("hangfire", "hangfire_batch_per_s", hfBatchRate);
        r.Add("hangfire", "hangfire_sqlite_enqueue_start_p50_ms", d50);
        r.Add("hangfire", "hangfire_sqlite_enqueue_start_p99_ms", d99);
        r.Add("hangfire", "hangfire_sqlite_batch_per_s", sqBatchRate);
        // The durable peer (Hangfire on SQLite) is the target's reference: both store each launch before it answers.
        // InMemory stays beside it as the floor of Hangfire's own machinery.
        foreach (var (name, single) in new[] { ("api", apiSingle), ("http", httpSingle) })
        {
            var (p50, p99) = (Stats.Percentile(single, 50), Stats.Percentile(single, 99));
            var target = name == "api";
            r.Add("hangfire", $"{name}_launch_start_p50_ms", p50);
            r.Add("hangfire", $"{name}_launch_start_p99_ms", p99);
            r.Add("hangfire", $"{name}_single_ratio", p50 / h50);
            r.Add("hangfire", $"{name}_single_ratio_sqlite", p50 / d50);
            var figure = $"{Stats.Ms(p50)} ({Stats.Ms(p99)})";
            r.Line("hangfire", $"inprocess via {name}: launch → start p50 (p99), vs Hangfire.SQLite", figure,
                $"Hangfire.SQLite enqueue → start {Stats.Ms(d50)} ({Stats.Ms(d99)})", p50 / d50,
                target ? "≤ 1.0" : "-", target ? p50 / d50 <= 1.0 : null);
            r.Line("hangfire", $"inprocess via {name}: launch → start p50 (p99), vs Hangfire.InMemory", figure,
                $"Hangfire.InMemory enqueue → start {Stats.Ms(h50)} ({Stats.Ms(h99)})", p50 / h50);
        }
        foreach (var (name, rate) in new[] { ("api", apiBatch), ("http", httpBatch) })
        {
            var target = name == "api";
            r.Add("hangfire", $"{name}_batch_per_s", rate);
            r.Add("hangfire", $"{name}_batch_ratio", hfBatchRate / rate);
            r.Add("hangfire", $"{name}_batch_ratio_sqlite", sqBatchRate / rate);
            r.Line("hangfire", $"inprocess via {name}: batch of {Batch}, tasks/s, vs Hangfire.SQLite", Stats.N(rate, "/s"),
                $"Hangfire.SQLite {Stats.N(sqBatchRate, "/s")}", sqBatchRate / rate, target ? "time ratio ≤ 1.0" : "-",
                target ? sqBatchRate / rate <= 1.0 : null);
            r.Line("hangfire", $"inprocess via {name}: batch of {Batch}, tasks/s, vs Hangfire.InMemory", Stats.N(rate, "/s"),
                $"Hangfire.InMemory {Stats.N(hfBatchRate, "/s")}", hfBatchRate / rate);
        }
        var (s50, s99, hs50, hs90) = (Stats.Percentile(stop, 50), Stats.Percentile(stop, 99), Stats.Percentile(hfStop, 50), Stats.Percentile(hfStop, 90));
        r.Add("hangfire", "bgtask_stop_seen_p50_ms", s50);
        r.Add("hangfire", "bgtask_stop_seen_p99_ms", s99);
        r.Add("hangfire", "hangfire_delete_token_p50_ms", hs50);
        r.Add("hangfire", "hangfire_delete_token_p90_ms", hs90);
        r.Add("hangfire", "stop_speedup", hs50 / s50);
        r.Line("hangfire", "stop signal → task sees it, p50 (p99)", $"{Stats.Ms(s50)} ({Stats.Ms(s99)})",
            $"Hangfire delete → token {Stats.Ms(hs50)} (p90 {Stats.Ms(hs90)})", s50 / hs50, "≤ 0.10 (10× sooner)", s50 / hs50 <= 0.1);
    }

    private static async Task<List<double>> SinglesAsync(Func<long, long> _, Func<Task<long>> launch)
    {
        var times = new List<double>();
        var budget = Stopwatch.StartNew();
        for (var i = 0; i < OneAtATime + 5 && budget.Elapsed < TimeSpan.FromSeconds(60); i++)
        {
            var started = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Stamps.OnStarted = _ => started.TrySetResult(Stopwatch.GetTimestamp());
            var before = Stopwatch.GetTimestamp();
            await launch();
            var at = await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
            if (i >= 5) times.Add(Stats.ElapsedMs(before, at));
        }
        Stamps.OnStarted = null;
        return times;
    }

    private static async Task<double> BatchAsync(Func<Task<List<long>>> launch)
    {
        var count = 0;
        var all = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        Stamps.OnStarted = _ => { if (Interlocked.Increment(ref count) == Batch) all.TrySetResult(Stopwatch.GetTimestamp()); };
        var before = Stopwatch.GetTimestamp();
        await launch();
        var at = await all.Task.WaitAsync(TimeSpan.FromSeconds(120));
        Stamps.OnStarted = null;
        return Batch / (Stats.ElapsedMs(before, at) / 1000);
    }

    private static async Task<List<double>> StopsAsync(HttpClient http)
    {
        var pids = new List<long>();
        for (var i = 0; i < Stops; i++)
        {
            using var response = await http.PostAsJsonAsync("api/tasks", new { task = "bench.wait", launcher = "inprocess" });
            pids.Add((await response.Content.ReadFromJsonAsync<TaskDto>())!.Pid);
        }
        return await SignalsScenario.StopEachAsync(http, pids);
    }

    /// <summary>
    /// Hangfire on durable SQLite storage, a temp file (WAL, the storage's default). Its workers poll the queue
    /// (there is no wake-up on enqueue); the default poll of 15 s would put every start seconds away, so the poll is
    /// set to <see cref="SqlitePoll"/>, what a user tuning it for latency would pick.
    /// </summary>
    private static (List<double> Single, double BatchRate) HangfireSqlite()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bgtask-bench-hangfire-{Guid.NewGuid():N}.db");
        try
        {
            using var storage = new SQLiteStorage(file, new SQLiteStorageOptions { QueuePollInterval = SqlitePoll });
            return HangfirePeer(storage);
        }
        finally
        {
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
                try { File.Delete(file + suffix); } catch (IOException) { }
        }
    }

    private static readonly TimeSpan SqlitePoll = TimeSpan.FromMilliseconds(50);

    // Hangfire: the same work (stamp the start) in the same process, 40 workers.
    private static (List<double> Single, double BatchRate) HangfirePeer(JobStorage storage)
    {
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = 40 }, storage);
        var client = new BackgroundJobClient(storage);
        var single = new List<double>();
        var budget = Stopwatch.StartNew();
        for (var i = 0; i < OneAtATime + 5 && budget.Elapsed < TimeSpan.FromSeconds(60); i++)
        {
            HangfireJobs.Reset(1);
            var before = Stopwatch.GetTimestamp();
            client.Enqueue(() => HangfireJobs.Mark());
            var at = HangfireJobs.WaitAll(TimeSpan.FromSeconds(10));
            if (i >= 5) single.Add(Stats.ElapsedMs(before, at));
        }
        HangfireJobs.Reset(Batch);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < Batch; i++) client.Enqueue(() => HangfireJobs.Mark());
        var end = HangfireJobs.WaitAll(TimeSpan.FromSeconds(300));
        return (single, Batch / (Stats.ElapsedMs(start, end) / 1000));
    }

    // Hangfire's delete of a running job → its token, InMemory storage.
    private static List<double> HangfireStops(JobStorage storage)
    {
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = 40 }, storage);
        var client = new BackgroundJobClient(storage);
        var ids = new List<string>();
        HangfireJobs.Reset(Stops);
        for (var i = 0; i < Stops; i++) ids.Add(client.Enqueue(() => HangfireJobs.Wait(i, CancellationToken.None)));
        HangfireJobs.WaitAll(TimeSpan.FromSeconds(30));
        var stop = new List<double>();
        var deleted = new long[Stops];
        for (var i = 0; i < Stops; i++)
        {
            deleted[i] = Stopwatch.GetTimestamp();
            client.Delete(ids[i]);
            Thread.Sleep(50); // deletes spread over the watcher's period, as real ones would be
        }
        var deadline = Stopwatch.StartNew();
        while (HangfireJobs.Cancelled.Count < Stops && deadline.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(20);
        foreach (var (index, at) in HangfireJobs.Cancelled) stop.Add(Stats.ElapsedMs(deleted[index], at));
        return stop;
    }
}

public static class HangfireJobs
{
    private static int _left;
    private static TaskCompletionSource<long> _done = new();
    public static readonly ConcurrentDictionary<int, long> Cancelled = new();

    public static void Reset(int count)
    {
        _left = count;
        _done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public static long WaitAll(TimeSpan limit) => _done.Task.WaitAsync(limit).GetAwaiter().GetResult();

    public static void Mark()
    {
        var now = Stopwatch.GetTimestamp();
        if (Interlocked.Decrement(ref _left) == 0) _done.TrySetResult(now);
    }

    public static async Task Wait(int index, CancellationToken token)
    {
        Mark();
        try { await Task.Delay(TimeSpan.FromSeconds(60), token); }
        catch (OperationCanceledException) { Cancelled[index] = Stopwatch.GetTimestamp(); }
    }
}
