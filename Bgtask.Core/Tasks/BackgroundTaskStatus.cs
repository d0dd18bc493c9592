using System.Linq.Expressions;

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

/// <summary>
/// The state machine's two halves, named once: live (pending, running, sleeping: it can still move) and terminal
/// (stopped, finished, error: nothing moves it). The query forms are the same rule for EF to translate.
/// </summary>
public static class BackgroundTaskStatuses
{
    public static bool IsLive(this BackgroundTaskStatus status) =>
        status is BackgroundTaskStatus.Pending or BackgroundTaskStatus.Running or BackgroundTaskStatus.Sleeping;

    public static bool IsTerminal(this BackgroundTaskStatus status) => !status.IsLive();

    private static readonly Expression<Func<BackgroundTask, bool>> Live = t =>
        t.Status == BackgroundTaskStatus.Pending || t.Status == BackgroundTaskStatus.Running ||
        t.Status == BackgroundTaskStatus.Sleeping;

    private static readonly Expression<Func<BackgroundTask, bool>> Ended = t =>
        t.Status == BackgroundTaskStatus.Stopped || t.Status == BackgroundTaskStatus.Finished ||
        t.Status == BackgroundTaskStatus.Error;

    /// <summary>The live tasks of a query (<see cref="IsLive"/>, translated by EF).</summary>
    public static IQueryable<BackgroundTask> WhereLive(this IQueryable<BackgroundTask> tasks) => tasks.Where(Live);

    /// <summary>The ended (terminal) tasks of a query (<see cref="IsTerminal"/>, translated by EF).</summary>
    public static IQueryable<BackgroundTask> WhereEnded(this IQueryable<BackgroundTask> tasks) => tasks.Where(Ended);
}
