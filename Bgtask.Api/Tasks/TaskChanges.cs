using Bgtask.Core.Tasks;

namespace Bgtask.Api.Tasks;

/// <summary>Where every stored change of a task is announced: the transition log line and the waiters.</summary>
public sealed class TaskChanges(TaskWakeups wakeups, StateReportBuffer reports, ILogger<TaskChanges> logger)
{
    public void Created(BackgroundTask task) =>
        logger.LogInformation("Task {Pid} ({Task}, {Launcher}) created as {Status}", task.Id, task.Task,
            task.Launcher, task.Status);

    /// <summary>Logs a transition when the change moved the task, and wakes its waiters.</summary>
    public void Applied(Change change)
    {
        // An ended task's next report reads the database again (and gets its 409).
        if (change.Task is { } ended && ended.Status.IsTerminal()) reports.Drop(ended.Id);
        if (change is not { Outcome: ChangeOutcome.Changed, Task: { } task }) return;
        if (task.Message is { } message)
            logger.LogInformation("Task {Pid} moved to {Status}: {Message}", task.Id, task.Status, message);
        else
            logger.LogInformation("Task {Pid} moved to {Status}", task.Id, task.Status);
        wakeups.Wake(task.Id);
    }

    public void SignalSent(long pid, string signal)
    {
        logger.LogInformation("Task {Pid} was sent {Signal}", pid, signal);
        wakeups.Wake(pid);
    }

    public void ConfigChanged(long pid, int version)
    {
        logger.LogInformation("Task {Pid} config is now version {Version}", pid, version);
        wakeups.Wake(pid);
    }

    public void Removed(long pid)
    {
        reports.Drop(pid);
        logger.LogInformation("Task {Pid} removed", pid);
        wakeups.Wake(pid);
    }
}
