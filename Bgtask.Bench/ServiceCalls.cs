using System.Diagnostics;
using System.Net.Http.Json;

namespace Bgtask.Bench;

/// <summary>The published service as a child process (<see cref="ServiceProcess"/>), and the calls the scenarios make to it.</summary>
public static class ServiceCalls
{
    /// <summary>Starts the service on a free loopback port and waits until it is ready.</summary>
    /// <param name="mySqlDatabase">A database on the bench's MariaDB; null: a temp SQLite file.</param>
    public static async Task<ServiceProcess> StartServiceAsync(this Bench bench, string? workerPath = null,
        string? mySqlDatabase = null, IEnumerable<KeyValuePair<string, string>>? settings = null)
    {
        var all = new Dictionary<string, string> { ["Tasks:MaxRunning"] = "5000" };
        string? connectionString = null;
        if (mySqlDatabase is not null)
        {
            var mariaDb = await bench.MariaDbAsync();
            connectionString = mariaDb.ConnectionStringFor(mySqlDatabase);
            all["Storage:Provider"] = "MySql";
            all["Storage:MySql:ServerVersion"] = mariaDb.ServerVersion;
        }
        if (workerPath is not null) all["Worker:Path"] = workerPath;
        foreach (var (key, value) in settings ?? []) all[key] = value;

        // The service's warnings and errors go to a file of the run (BENCH_SERVICE_LOG=1: to the console too).
        var echo = Environment.GetEnvironmentVariable("BENCH_SERVICE_LOG") == "1";
        var log = TextWriter.Synchronized(new StreamWriter(Path.Combine(bench.Work, $"service-{Guid.NewGuid():N}.log")) { AutoFlush = true });
        var service = new ServiceProcess(all, connectionString, folder: Path.GetDirectoryName(bench.ApiDll), onOutput: line =>
        {
            log.WriteLine(line);
            if (echo) Console.WriteLine($"    [service] {line}");
        });
        try
        {
            await service.StartAsync();
            return service;
        }
        catch
        {
            service.Dispose();
            throw;
        }
    }

    public static async Task<TaskDto> LaunchAsync(this ServiceProcess service, string task, string launcher, object config)
    {
        using var response = await service.Client.PostAsJsonAsync("api/tasks", new { task, launcher, config });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TaskDto>())!;
    }

    public static async Task<TaskDto> GetAsync(this ServiceProcess service, long pid) =>
        (await service.Client.GetFromJsonAsync<TaskDto>($"api/tasks/{pid}"))!;

    /// <summary>Polls until the task is terminal (bounded).</summary>
    public static async Task<TaskDto> WaitEndedAsync(this ServiceProcess service, long pid, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var task = await service.GetAsync(pid);
            if (task.Status is "finished" or "stopped" or "error") return task;
            if (clock.Elapsed > limit) throw new TimeoutException($"task {pid} still {task.Status} after {limit}");
            await Task.Delay(10);
        }
    }

    /// <summary>Resident set size and CPU time (user + system) of the service process, from /proc.</summary>
    public static (long RssBytes, double CpuSeconds) Usage(this ServiceProcess service) =>
        ProcStat.Read(service.OsPid ?? throw new InvalidOperationException("The service is not running."));
}

public sealed record TaskDto(long Pid, string Task, string Status, long OpFinished, DateTime CreatedAt, DateTime? StartedAt,
    DateTime? FinishedAt, string? Message);
