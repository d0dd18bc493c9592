using System.Diagnostics;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Api.Signals;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
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
    SignalReader signals,
    IServiceScopeFactory scopes,
    ILogger<ProcessLauncher> logger) : ILauncher
{
    public LauncherKind Kind => LauncherKind.Process;

    // The worker reads its task and config over HTTP (`started`, then `GET config`): start is not used. A command
    // gets its config in BGTASK_CONFIG, read here when the launch was queued (no start given).
    public async Task StartAsync(BackgroundTask task, string token, TaskStart? start, CancellationToken ct)
    {
        tasks.Value.Commands.TryGetValue(task.Task, out var command);
        Process process;
        try
        {
            var info = command is null ? StartInfo(task.Id, token) : await CommandStartInfoAsync(task.Id, token, command, start, ct);
            process = Process.Start(info) ?? throw new InvalidOperationException("no process was started");
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            logger.LogError(e, "Task {Pid}: the worker could not be started", task.Id);
            await calls.LostAsync(task.Id, $"{(command is null ? "worker" : "command")} could not start: {e.Message}");
            return;
        }

        var runner = new ProcessRunner(process, options.Value.KillWait);
        registry.Add(task.Id, runner);
        var run = command is null ? null
            : new CommandRun(task.Id, process.Id, token, command, calls, signals, scopes, tasks.Value.TimeoutGrace, logger);
        // Each stream's lines reach the log in their order; a progress line of a command becomes progress instead.
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line && run?.TryProgress(line) != true) pump.Add(task.Id, line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line && run?.TryProgress(line) != true) pump.Add(task.Id, line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        logger.LogInformation("Task {Pid} started {Kind} process {OsPid}", task.Id, command is null ? "worker" : "command", process.Id);
        _ = WatchAsync(task.Id, runner, run);
        await calls.RecordRunnerAsync(task.Id, process.Id, OsProcesses.StartTimeUtc(process), ct);
        if (run is not null) _ = run.SuperviseAsync();
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

    private async Task WatchAsync(long pid, ProcessRunner runner, CommandRun? command = null)
    {
        var process = runner.Process;
        try
        {
            if (command is not null)
            {
                // The program's own exit, not its output's end: a child left behind may hold the pipes open.
                var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                process.EnableRaisingEvents = true;
                process.Exited += (_, _) => exited.TrySetResult();
                if (process.HasExited) exited.TrySetResult();
                await exited.Task;
                command.EndLeftovers();
                // Then the output to its end (every line read), unless something outside the tree still holds it.
                await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(5)));
                registry.Remove(pid, runner);
                await pump.FlushAsync(pid); // its last lines are logged before its ending
                await command.EndAsync(ExitCode(process));
                return;
            }
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

    /// <summary>
    /// A registered command: its own path and arguments from the settings (never from a request), and the contract's
    /// environment, with the config as JSON in BGTASK_CONFIG.
    /// </summary>
    private async Task<ProcessStartInfo> CommandStartInfoAsync(long pid, string token, CommandOptions command,
        TaskStart? start, CancellationToken ct)
    {
        var info = StartInfo(pid, token);
        info.FileName = command.FullPath;
        info.ArgumentList.Clear();
        foreach (var argument in command.Args) info.ArgumentList.Add(argument);
        info.WorkingDirectory = command.FullWorkingDirectory;
        info.Environment.Remove("BGTASK_RETRY_WINDOW_SECONDS");
        info.Environment.Remove("BGTASK_PLUGIN_PATHS");
        string config;
        if (start is not null) config = start.Config.Config.GetRawText();
        else
        {
            await using var scope = scopes.CreateAsyncScope();
            config = (await scope.ServiceProvider.GetRequiredService<BgtaskDbContext>().GetConfigAsync(pid, ct)).Json ?? "{}";
        }
        info.Environment["BGTASK_CONFIG"] = config;
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
