namespace Bgtask.Core.Tasks;

/// <summary>A task's status; the numbers are the original Bgtask_Manager's.</summary>
public enum BackgroundTaskStatus
{
    Pending = 0,
    Running = 1,
    Sleeping = 2,
    Stopped = 3,
    Finished = 4,
    Error = 5,
}

public static class BackgroundTaskStatuses
{
    public static bool IsLive(this BackgroundTaskStatus status) =>
        status is BackgroundTaskStatus.Pending or BackgroundTaskStatus.Running or BackgroundTaskStatus.Sleeping;

    public static bool IsTerminal(this BackgroundTaskStatus status) => !status.IsLive();

    /// <summary>The statuses a task can be ended from (finished, stopped, error, kill).</summary>
    public static readonly BackgroundTaskStatus[] Live =
        [BackgroundTaskStatus.Pending, BackgroundTaskStatus.Running, BackgroundTaskStatus.Sleeping];
}
