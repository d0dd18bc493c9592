using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Api.Signals;
using Bgtask.Core.Tasks;
using Bgtask.Worker.Sdk;

namespace Bgtask.Api.Launches;

/// <summary>
/// Runs the task inside the service (the original's LAUNCHER_SIMPLE), with the same SDK and the same
/// observable behaviour as a worker: signals, config, log, reports, kill.
/// </summary>
public sealed class InProcessLauncher(
    TaskCatalog catalog,
    IServiceScopeFactory scopes,
    SignalReader signals,
    RunnerRegistry registry,
    RunnerCalls calls,
    ILogger<InProcessLauncher> logger) : ILauncher
{
    public LauncherKind Kind => LauncherKind.InProcess;

    public async Task StartAsync(BackgroundTask task, string token, TaskStart? start, CancellationToken ct)
    {
        var pid = task.Id;
        var kill = new CancellationTokenSource();
        var runner = new InProcessRunner(kill);
        registry.Add(pid, runner);
        // A launch stored claimed was stored running with this process as its runner; a queued one is recorded now.
        if (start is null) await calls.RecordRunnerAsync(pid, Environment.ProcessId, OsProcesses.CurrentStartTime, ct);
        var channel = new DirectTaskChannel(pid, scopes, calls, signals, start);
        runner.Run = Task.Run(async () =>
        {
            try
            {
                await TaskRunner.RunAsync(catalog, channel, pid, new RunnerOptions(), kill.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or TaskEndedException)
            {
                // killed, or ended by the service
            }
            catch (Exception e)
            {
                logger.LogError(e, "Task {Pid}: the in-process runner failed", pid);
                await calls.LostAsync(pid, $"runner failed: {e.Message}");
            }
            finally
            {
                registry.Remove(pid, runner);
            }
        }, CancellationToken.None);
    }
}
