using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using MySqlConnector;

namespace Bgtask.Bench.Scenarios;

/// <summary>
/// State reports/s through the API at 16 and 64 concurrent reporters (each its own task), beside the same
/// concurrency of single-row UPDATEs sent straight to the same database.
/// </summary>
public static class UpdatesScenario
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private const int MaxPerReporter = 200_000;

    public static async Task RunAsync(Bench bench)
    {
        foreach (var db in new[] { "sqlite", "mariadb" })
        {
            string? database = null;
            if (db == "mariadb") database = (await bench.MariaDbAsync()).CreateDatabase();
            await using var service = await bench.StartServiceAsync(mySqlDatabase: database);
            foreach (var concurrency in new[] { 16, 64 })
            {
                var pids = new List<long>();
                for (var i = 0; i < concurrency; i++)
                {
                    using var created = await service.Client.PostAsJsonAsync("api/tasks/records", new { description = $"reporter {i}" });
                    pids.Add((await created.Content.ReadFromJsonAsync<TaskDto>())!.Pid);
                }
                var api = await RateAsync(pids, async (pid, n) =>
                {
                    // As the worker sends a report: the JSON body with its Content-Length (not chunked).
                    using var body = new StringContent($"{{\"opTotal\":0,\"opFinished\":{n},\"status\":\"running\"}}",
                        System.Text.Encoding.UTF8, "application/json");
                    using var response = await service.Client.PutAsync($"api/tasks/{pid}/state", body);
                    response.EnsureSuccessStatusCode();
                });
                var raw = db == "sqlite"
                    ? await RawSqliteAsync(service.ConnectionString, pids)
                    : await RawMySqlAsync(service.ConnectionString, pids);
                var key = $"{db}_{concurrency}";
                bench.Results.Add("updates", $"{key}_api_per_s", api);
                bench.Results.Add("updates", $"{key}_raw_update_per_s", raw);
                bench.Results.Add("updates", $"{key}_ratio", api / raw);
                bench.Results.Line("updates", $"{(db == "sqlite" ? "SQLite" : "MariaDB InnoDB")}, {concurrency} reporters: reports/s",
                    Stats.N(api, "/s"), $"raw UPDATE {Stats.N(raw, "/s")}", api / raw, "≥ 1.0×", api / raw >= 1.0);
            }
        }
    }

    /// <summary>
    /// Each reporter loops on its own pid: first for the warm-up (not counted: a service just started spends it
    /// compiling its hot paths, which a running service has long done), then for the window (bounded in count
    /// and time).
    /// </summary>
    internal static async Task<double> RateAsync(IReadOnlyList<long> pids, Func<long, long, Task> send)
    {
        long total = 0;
        var clock = Stopwatch.StartNew();
        var end = WarmUp + Window;
        await Task.WhenAll(pids.Select(pid => Task.Run(async () =>
        {
            long n = 0, counted = 0;
            while (clock.Elapsed < end && counted < MaxPerReporter)
            {
                var warm = clock.Elapsed >= WarmUp;
                await send(pid, ++n);
                if (warm) counted++;
            }
            Interlocked.Add(ref total, counted);
        })));
        return total / (clock.Elapsed - WarmUp).TotalSeconds;
    }

    private static async Task<double> RawSqliteAsync(string connectionString, IReadOnlyList<long> pids)
    {
        var connections = new List<SqliteConnection>();
        foreach (var _ in pids)
        {
            var c = new SqliteConnection(connectionString);
            await c.OpenAsync();
            await using var pragma = c.CreateCommand();
            // The service's own settings (SqlitePragmaInterceptor).
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
            await pragma.ExecuteNonQueryAsync();
            connections.Add(c);
        }
        var byPid = pids.Zip(connections).ToDictionary(p => p.First, p => p.Second);
        try
        {
            return await RateAsync(pids, async (pid, n) =>
            {
                await using var command = byPid[pid].CreateCommand();
                command.CommandText = "UPDATE bgtask_tasks SET OpFinished = $n, HeartbeatAt = $at WHERE Id = $id";
                command.Parameters.AddWithValue("$n", n);
                command.Parameters.AddWithValue("$at", DateTime.UtcNow);
                command.Parameters.AddWithValue("$id", pid);
                await command.ExecuteNonQueryAsync();
            });
        }
        finally
        {
            foreach (var c in connections) await c.DisposeAsync();
        }
    }

    internal static async Task<double> RawMySqlAsync(string connectionString, IReadOnlyList<long> pids)
    {
        var connections = new Dictionary<long, MySqlConnection>();
        foreach (var pid in pids)
        {
            var c = new MySqlConnection(connectionString);
            await c.OpenAsync();
            connections[pid] = c;
        }
        try
        {
            return await RateAsync(pids, async (pid, n) =>
            {
                await using var command = new MySqlCommand("UPDATE bgtask_tasks SET OpFinished = @n, HeartbeatAt = @at WHERE Id = @id", connections[pid]);
                command.Parameters.AddWithValue("@n", n);
                command.Parameters.AddWithValue("@at", DateTime.UtcNow);
                command.Parameters.AddWithValue("@id", pid);
                await command.ExecuteNonQueryAsync();
            });
        }
        finally
        {
            foreach (var c in connections.Values) await c.DisposeAsync();
        }
    }
}
