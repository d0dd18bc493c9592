using Bgtask.Core.Tasks;
using Bgtask.Worker.Sdk;

namespace Bgtask.Api.Launches;

/// <summary>Starts the runner of a task claimed for this service. Returns once it is under way.</summary>
public interface ILauncher
{
    LauncherKind Kind { get; }

    /// <param name="token">The worker token minted for this task (only its hash is stored).</param>
    /// <param name="start">
    /// Set when the task was stored already claimed, at its launch: its name and config, so the runner needs no
    /// database round trip to begin (an in-process task is then stored running, with its runner recorded).
    /// Null for a queued launch claimed later.
    /// </param>
    Task StartAsync(BackgroundTask task, string token, TaskStart? start, CancellationToken ct);
}
