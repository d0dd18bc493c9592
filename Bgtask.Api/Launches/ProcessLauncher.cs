using System.Diagnostics;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Core.Tasks;
using Bgtask.Worker.Sdk;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launches;

/// <summary>
/// Starts one Bgtask.Worker OS process per task. The worker learns its task from its environment
/// (BGTASK_PID, BGTASK_API_URL, BGTASK_TOKEN: never the command line) and speaks only the HTTP contract.
/// Its stdout and stderr go to the task log. The launcher watches it: a worker that exits without having
/// ended its task leaves it `error`, "worker lost (exit code N)", at once.
/// </summary>
public sealed class ProcessLauncher(
    IOptions<WorkerOptions> options,
    IOptions<TasksOptions> tasks,
    IServer server,
    RunnerRegistry registry,
    RunnerCalls calls,
    TaskLogPump pump,
    ILogger<ProcessLauncher> logger) : ILauncher
{
    public LauncherKind Kind => LauncherKind.Process;

    // The worker reads its task and config over HTTP (`started`, then `GET config`): start is not used.
    public async Task StartAsync(BackgroundTask task, string token, TaskStart? start, CancellationToken ct)
    {
        Process process;
        try
        {
            process = Process.Start(StartInfo(task.Id, token)) ?? throw new InvalidOperationException("no process was started");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            logger.LogError(e, "Task {Pid}: the worker could not be started", task.Id);
            await calls.LostAsync(task.Id, $"worker could not start: {e.Message}");
            return;
        }

        var runner = new ProcessRunner(process, options.Value.KillWait);
        registry.Add(task.Id, runner);
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) pump.Add(task.Id, line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) pump.Add(task.Id, line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        logger.LogInformation("Task {Pid} started worker process {OsPid}", task.Id, process.Id);
        _ = WatchAsync(task.Id, runner);
        await calls.RecordRunnerAsync(task.Id, process.Id, OsProcesses.StartTimeUtc(process), ct);
    }

    /// <summary>
    /// Watches a worker that a previous run of the service started (found alive at start): its reports keep
    /// flowing over HTTP; this only notices when it dies. Its exit code cannot be read (not our child).
    /// </summary>
    public void Adopt(long pid, Process process)
    {
        var runner = new ProcessRunner(process, options.Value.KillWait);
        registry.Add(pid, runner);
        logger.LogInformation("Task {Pid}: adopted its running worker process {OsPid}", pid, process.Id);
        _ = WatchAsync(pid, runner);
    }

    private async Task WatchAsync(long pid, ProcessRunner runner)
    {
        var process = runner.Process;
        try
        {
            await process.WaitForExitAsync();
            process.WaitForExit(); // lets the last stdout/stderr lines through
            var code = ExitCode(process);
            registry.Remove(pid, runner);
            var message = code is { } c ? $"worker lost (exit code {c})" : "worker lost";
            if (await calls.LostAsync(pid, message))
                logger.LogWarning("Task {Pid}: worker exited ({Message}) without ending its task", pid, message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Task {Pid}: watching its worker failed", pid);
        }
        finally
        {
            registry.Remove(pid, runner);
            process.Dispose();
        }
    }

    private static int? ExitCode(Process process)
    {
        try { return process.ExitCode; }
        catch (InvalidOperationException) { return null; }
    }

    private ProcessStartInfo StartInfo(long pid, string token)
    {
        var (file, arguments) = WorkerCommand();
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // closed at once: a worker never reads the service's console
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        info.Environment["BGTASK_PID"] = pid.ToString();
        info.Environment["BGTASK_API_URL"] = ApiUrl();
        info.Environment["BGTASK_TOKEN"] = token;
        // W3C trace context: the worker's calls join the launch's trace.
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } span) info.Environment["TRACEPARENT"] = span.Id;
        else info.Environment.Remove("TRACEPARENT");
        info.Environment["BGTASK_RETRY_WINDOW_SECONDS"] = options.Value.RetryWindow.TotalSeconds.ToString("0");
        if (tasks.Value.PluginPaths.Length > 0)
            info.Environment["BGTASK_PLUGIN_PATHS"] = string.Join(Path.PathSeparator, tasks.Value.PluginPaths.Select(Path.GetFullPath));
        // The service's own settings are not the worker's business.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        return info;
    }

    /// <summary>Worker:Path, else the worker built beside the service (its apphost, or its dll with dotnet).</summary>
    private (string File, string[] Arguments) WorkerCommand()
    {
        var path = options.Value.Path;
        if (string.IsNullOrWhiteSpace(path))
        {
            var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Bgtask.Worker.exe" : "Bgtask.Worker");
            path = File.Exists(apphost) ? apphost : Path.Combine(AppContext.BaseDirectory, "Bgtask.Worker.dll");
        }
        path = Path.GetFullPath(path);
        return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? (DotnetHost(), [path]) : (path, []);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    /// <summary>Worker:ApiUrl, else the first address this service listens on, as seen from this host.</summary>
    private string ApiUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.ApiUrl)) return options.Value.ApiUrl;
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                      ?? addresses.FirstOrDefault()
                      ?? throw new InvalidOperationException("The service listens on no address; set Worker:ApiUrl.");
        var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1"));
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost") uri.Host = "127.0.0.1";
        return uri.Uri.AbsoluteUri;
    }
}
