using Bgtask.Core.Tasks;

namespace Bgtask.Api.Launchers;

/// <summary>Starts the runner of a task that has just been stored as pending. Returns once it is under way.</summary>
public interface ITaskLauncher
{
    TaskLauncher Kind { get; }

    /// <param name="token">The worker token minted for this task (only its hash is stored).</param>
    Task StartAsync(BackgroundTask task, string token, CancellationToken ct);
}
