using System.Diagnostics;
using System.Net.Http.Json;

namespace Bgtask.Bench;

/// <summary>The published service as a child process on a free loopback port, stopped by its pid.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _sqliteFile;

    private ServiceProcess(Process process, Uri url, string? sqliteFile, string connectionString)
    {
        _process = process;
        Url = url;
        _sqliteFile = sqliteFile;
        ConnectionString = connectionString;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Url { get; }
    public HttpClient Http { get; }
    public string ConnectionString { get; }
    public int Pid => _process.Id;

    /// <param name="mySqlDatabase">null: a temp SQLite file.</param>
    public static async Task<ServiceProcess> StartAsync(Bench bench, string? workerPath = null, string? mySqlDatabase = null,
        IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var port = Bench.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/");
        string? sqlite = null;
        string connection;
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(bench.ApiDll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(bench.ApiDll);
        if (mySqlDatabase is null)
        {
            sqlite = Path.Combine(bench.Work, $"bgtask-{Guid.NewGuid():N}.db");
            connection = $"Data Source={sqlite}";
        }
        else
        {
            var mariaDb = await bench.MariaDbAsync();
            connection = mariaDb.ConnectionString(mySqlDatabase);
            info.Environment["Storage__Provider"] = "MySql";
            info.Environment["Storage__MySql__ServerVersion"] = mariaDb.ServerVersion;
        }
        info.Environment["ConnectionStrings__Bgtask"] = connection;
        info.Environment["ASPNETCORE_URLS"] = url.AbsoluteUri.TrimEnd('/');
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        info.Environment["Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime"] = "Warning";
        info.Environment["Serilog__WriteTo__1__Name"] = "Console";
        info.Environment["Serilog__WriteTo__1__Args__restrictedToMinimumLevel"] = "Fatal";
        info.Environment["Tasks__MaxRunning"] = "5000";
        if (workerPath is not null) info.Environment["Worker__Path"] = workerPath;
        foreach (var (key, value) in settings ?? []) info.Environment[key] = value;

        var process = Process.Start(info)!;
        // The service's warnings and errors go to a file of the run (BENCH_SERVICE_LOG=1: to the console too).
        var echo = Environment.GetEnvironmentVariable("BENCH_SERVICE_LOG") == "1";
        var log = TextWriter.Synchronized(new StreamWriter(Path.Combine(bench.Work, $"service-{port}.log")) { AutoFlush = true });
        void Write(string? line)
        {
            if (line is not { Length: > 0 }) return;
            log.WriteLine(line);
            if (echo) Console.WriteLine($"    [service] {line}");
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, url, sqlite, connection);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the service exited with {process.ExitCode} at start");
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the service did not get ready in 60 s");
            try
            {
                using var ready = await service.Http.GetAsync("health/ready");
                if (ready.IsSuccessStatusCode) return service;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
    }

    public async Task<TaskDto> LaunchAsync(string task, string launcher, object config)
    {
        using var response = await Http.PostAsJsonAsync("api/tasks", new { task, launcher, config });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TaskDto>())!;
    }

    public async Task<TaskDto> GetAsync(long pid) => (await Http.GetFromJsonAsync<TaskDto>($"api/tasks/{pid}"))!;

    /// <summary>Polls until the task is terminal (bounded).</summary>
    public async Task<TaskDto> WaitEndedAsync(long pid, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var task = await GetAsync(pid);
            if (task.Status is "finished" or "stopped" or "error") return task;
            if (clock.Elapsed > limit) throw new TimeoutException($"task {pid} still {task.Status} after {limit}");
            await Task.Delay(10);
        }
    }

    /// <summary>Resident set size and CPU time (user + system) of the service process, from /proc.</summary>
    public (long RssBytes, double CpuSeconds) Usage() => ProcStat.Read(_process.Id);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_sqliteFile is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                try { File.Delete(_sqliteFile + suffix); } catch (IOException) { }
        }
    }
}

public sealed record TaskDto(long Pid, string Task, string Status, long OpFinished, DateTime CreatedAt, DateTime? StartedAt,
    DateTime? FinishedAt, string? Message);

public static class ProcStat
{
    public static (long RssBytes, double CpuSeconds) Read(int pid)
    {
        var rss = 0L;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[11] and [12] are utime and stime (fields 14 and 15 of the whole line), in clock ticks.
        var cpu = (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
        return (rss, cpu);
    }

    /// <summary>Direct children of a process (Linux), from /proc/*/stat.</summary>
    public static IEnumerable<int> Children(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; }
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1]) == parent) yield return pid;
        }
    }
}
