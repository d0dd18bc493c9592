using Bgtask.Api.Auth;
using Bgtask.Api.Cluster;
using Bgtask.Api.Events;
using Bgtask.Api.Reports;
using Bgtask.Api.Runners;
using Bgtask.Api.Telemetry;
using Bgtask.Core.Contracts;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Notifications;

/// <summary>
/// The one place a stored change of a task is announced: the transition log line, the waiters, the live event
/// streams and the metrics; an ended or removed task also leaves the report buffer and the token cache. Whoever
/// stores a change calls it right after (<see cref="RunnerCalls"/> for the runner's calls). In a cluster it also tells
/// the other nodes (<see cref="ClusterPeers"/>): the same wake for their held reads and the same event for their streams.
/// </summary>
public sealed class TaskNotifier(TaskWakeups wakeups, StateReportBuffer reports, TaskEventHub events,
    TaskPresenter presenter, WorkerTokenCache tokens, BgtaskMetrics metrics, SweepSignal sweep, ClusterPeers peers,
    ILogger<TaskNotifier> logger)
{
    public void Created(BackgroundTask task)
    {
        logger.LogInformation("Task {Pid} ({Task}, {Launcher}) created as {Status}", task.Id, task.Task,
            task.Launcher, task.Status);
        metrics.Launched(task);
        sweep.Activity(); // a live task now: the supervisor stops resting
        PublishTask(task);
    }

    /// <summary>Logs a transition when the change moved the task, and wakes its waiters.</summary>
    public void Applied(Change change)
    {
        // An ended task's next report reads the database again (and gets its 409).
        if (change.Task is { } ended && ended.Status.IsTerminal())
        {
            reports.Drop(ended.Id);
            tokens.Forget(ended.Id);
        }
        if (change is not { Outcome: ChangeOutcome.Changed, Task: { } task }) return;
        if (task.Message is { } message)
            logger.LogInformation("Task {Pid} moved to {Status}: {Message}", task.Id, task.Status, message);
        else
            logger.LogInformation("Task {Pid} moved to {Status}", task.Id, task.Status);
        wakeups.Wake(task.Id);
        metrics.Moved(task.Status);
        PublishTask(task, wake: true);
    }

    /// <summary>A progress report: a transition when it moved the task, else still news for the event streams.</summary>
    public void Reported(Change change)
    {
        if (change.Succeeded) metrics.Reported();
        if (change is { Outcome: ChangeOutcome.Unchanged, Task: { } task }) PublishTask(task);
        else Applied(change);
    }

    /// <summary>The service ended a task whose runner is gone.</summary>
    public void Lost(Change change)
    {
        if (change.Outcome == ChangeOutcome.Changed) metrics.WorkerLost();
        Applied(change);
    }

    public void SignalSent(long pid, string signal)
    {
        logger.LogInformation("Task {Pid} was sent {Signal}", pid, signal);
        wakeups.Wake(pid);
        if (peers.HasPeers) peers.Tell(new NodeNote(pid, Wake: true));
    }

    /// <summary>Signals a closed worker channel had claimed are pending again: the held reads look for them.</summary>
    public void SignalsReturned(long pid)
    {
        wakeups.Wake(pid);
        if (peers.HasPeers) peers.Tell(new NodeNote(pid, Wake: true));
    }

    public void ConfigChanged(long pid, int version)
    {
        logger.LogInformation("Task {Pid} config is now version {Version}", pid, version);
        wakeups.Wake(pid);
        Publish("config", pid, new ConfigEventData(pid, version), wake: true);
    }

    public void Removed(long pid)
    {
        reports.Drop(pid);
        tokens.Forget(pid);
        logger.LogInformation("Task {Pid} removed", pid);
        wakeups.Wake(pid);
        Publish("removed", pid, new RemovedEventData(pid), terminal: true, wake: true);
    }

    public void LogAppended(long pid, IReadOnlyList<TaskLogLine> lines) =>
        Publish("log", pid, new LogEventData(pid, lines.Select(LogLineResponse.From).ToList()));

    private void PublishTask(BackgroundTask task, bool wake = false) =>
        Publish("task", task.Id, presenter.ToResponse(task), task.Status.IsTerminal(), lazy: true, wake);

    /// <summary>
    /// This node's streams get the event (a progress event serialized only if a stream sends it); the other nodes get
    /// it serialized, with the wake for their held reads when the change is one a worker waits for.
    /// </summary>
    private void Publish<T>(string type, long pid, T data, bool terminal = false, bool lazy = false, bool wake = false)
    {
        if (!peers.HasPeers)
        {
            events.Publish(type, pid, data, terminal, lazy);
            return;
        }
        var json = events.Serialize(data);
        events.PublishSerialized(type, pid, json, terminal);
        peers.Tell(new NodeNote(pid, wake, type, json, terminal));
    }
}
