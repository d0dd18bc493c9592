using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Bgtask.Worker.Client;
using Bgtask.Worker.Sdk;

namespace Bgtask.Worker;

/// <summary>
/// The worker's entry point, usable from a user's own executable too: <c>WorkerHost.RunAsync(args, catalog)</c>.
/// Launched by the service, it finds its task in BGTASK_PID, BGTASK_API_URL and BGTASK_TOKEN. As a
/// standalone command (for cron) it first creates an external record: <c>run &lt;task&gt; --api &lt;url&gt;</c>; with
/// <c>--exclusive [key]</c> it does not run while a live task holds the key (the original's cron lock).
/// </summary>
public static class WorkerHost
{
    public const int ExitFinished = 0;
    public const int ExitError = 1;
    public const int ExitUsage = 2;
    public const int ExitStopped = 3;

    /// <summary>Not run: a live task holds the exclusive key (<c>--exclusive</c>).</summary>
    public const int ExitHeld = 4;

    public static Task<int> RunAsync(string[] args, TaskCatalog catalog) => RunAsync(args, catalog, new RunnerOptions());

    /// <param name="options">How the runner reports (its report and heartbeat intervals); the contract is the same.</param>
    public static async Task<int> RunAsync(string[] args, TaskCatalog catalog, RunnerOptions options)
    {
        try
        {
            return args switch
            {
                ["run", var task, .. var rest] => await RunStandaloneAsync(task, rest, catalog, options),
                ["list"] => List(catalog),
                [] => await RunLaunchedAsync(catalog, options),
                _ => Usage(),
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException or HttpRequestException or IOException)
        {
            await Console.Error.WriteLineAsync($"bgtask-worker: {e.Message}");
            return ExitUsage;
        }
    }

    private static async Task<int> RunLaunchedAsync(TaskCatalog catalog, RunnerOptions options)
    {
        var pid = long.Parse(Required("BGTASK_PID"));
        var api = new Uri(Required("BGTASK_API_URL"));
        using var http = BgtaskHttp.Create(api, Environment.GetEnvironmentVariable("BGTASK_TOKEN"),
            Environment.GetEnvironmentVariable("BGTASK_API_KEY"));
        return await RunAsync(catalog, http, pid, options);
    }

    private static async Task<int> RunStandaloneAsync(string task, string[] options, TaskCatalog catalog, RunnerOptions runner)
    {
        string? api = null, config = null, description = null;
        JsonElement? exclusive = null;
        var key = Environment.GetEnvironmentVariable("BGTASK_API_KEY");
        for (var i = 0; i < options.Length; i++)
        {
            if (options[i] == "--exclusive")
            {
                // The key is optional (the task's name by default): the next word is it unless it is an option.
                var named = i + 1 < options.Length && !options[i + 1].StartsWith("--", StringComparison.Ordinal);
                exclusive = named
                    ? JsonSerializer.SerializeToElement(options[++i], WireJson.Default.String)
                    : JsonSerializer.SerializeToElement(true, WireJson.Default.Boolean);
                continue;
            }
            var value = i + 1 < options.Length ? options[i + 1] : throw new ArgumentException($"{options[i]} needs a value");
            switch (options[i])
            {
                case "--api": api = value; break;
                case "--config": config = value; break;
                case "--description": description = value; break;
                case "--key": key = value; break;
                default: throw new ArgumentException($"unknown option {options[i]}");
            }
            i++;
        }
        if (api is null) throw new ArgumentException("--api <url> is required");
        if (!catalog.TryGet(task, out _))
            throw new ArgumentException($"unknown task '{task}'; this worker knows: {string.Join(", ", catalog.Entries.Select(e => e.Name))}");

        using var http = BgtaskHttp.Create(new Uri(api), token: null, key);
        using var created = await http.PostAsJsonAsync("api/tasks/records",
            new WireRecord(description ?? $"{task} (standalone worker)", task, exclusive), WireJson.Default.WireRecord);
        if (created.StatusCode == HttpStatusCode.Conflict && exclusive is not null)
        {
            var problem = await created.Content.ReadFromJsonAsync(WireJson.Default.WireProblem);
            await Console.Error.WriteLineAsync($"bgtask-worker: not run: {problem?.Detail ?? "the exclusive key is held."}");
            return ExitHeld;
        }
        await EnsureAsync(created);
        var record = await created.Content.ReadFromJsonAsync(WireJson.Default.WireTask)
                     ?? throw new InvalidDataException("empty answer from the service");
        if (config is not null)
        {
            var json = JsonSerializer.Deserialize(config.StartsWith('@') ? await File.ReadAllTextAsync(config[1..]) : config,
                WireJson.Default.JsonElement);
            using var put = await http.PutAsJsonAsync($"api/tasks/{record.Pid}/config", json, WireJson.Default.JsonElement);
            await EnsureAsync(put);
        }
        Console.WriteLine($"pid {record.Pid}");
        return await RunAsync(catalog, http, record.Pid, runner);
    }

    private static async Task<int> RunAsync(TaskCatalog catalog, HttpClient http, long pid, RunnerOptions options)
    {
        var retry = new RetryWindow { Window = RetryWindowSetting() };
        ITaskChannel channel = SocketTaskChannel.Enabled ? new SocketTaskChannel(http, pid, retry) : new HttpTaskChannel(http, pid, retry);
        TaskContext? context = null;
        // SIGTERM (and Ctrl+C) ask the task to stop at its next check-point, like the stop signal.
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; context?.RequestStop(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; context?.RequestStop(); });
        var ending = await TaskRunner.RunAsync(catalog, channel, pid, options, CancellationToken.None,
            started => context = started);
        return ending switch
        {
            TaskEnding.Finished => ExitFinished,
            TaskEnding.Stopped => ExitStopped,
            _ => ExitError,
        };
    }

    private static TimeSpan RetryWindowSetting() =>
        double.TryParse(Environment.GetEnvironmentVariable("BGTASK_RETRY_WINDOW_SECONDS"), out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : new RetryWindow().Window;

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.RequestUri}: {body}");
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"{name} is not set; run as 'run <task> --api <url>' outside the service");

    private static int List(TaskCatalog catalog)
    {
        foreach (var entry in catalog.Entries) Console.WriteLine($"{entry.Name}\t{entry.Description}");
        return ExitFinished;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            usage: Bgtask.Worker                      (launched by the service: BGTASK_PID, BGTASK_API_URL, BGTASK_TOKEN)
                   Bgtask.Worker run <task> --api <url> [--config <json or @file>] [--description <text>] [--key <api key>]
                                     [--exclusive [key]]   (not run, exit 4, while a live task holds the key;
                                                            the key defaults to the task's name)
                   Bgtask.Worker list
            """);
        return ExitUsage;
    }
}
