using Bgtask.Api.Cluster;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Freezing;

/// <summary>What a freeze or thaw did: the change, and why not when it was refused (409).</summary>
public readonly record struct FreezeOutcome(Change Change, string? Refusal = null);

/// <summary>
/// Freeze and thaw of a worker-process task on this host: the OS side (<see cref="ProcessTree"/>: SIGSTOP and
/// SIGCONT to the whole tree, no check-point needed) and the stored side (<see cref="TaskFreezes"/>: sleeping,
/// frozen, the status to restore), then the announcement. Freeze stops the tree before it is marked (the memory it
/// stores is then the frozen tree's); thaw marks before it continues the tree (a report right after the thaw
/// is an ordinary one). Both are idempotent and act on the tree again when repeated, which is harmless. In a
/// cluster, a task whose runner another live node started is frozen and thawed by that node, asked directly (its
/// processes may be on another host); when it does not answer, this node does what it can on its own host.
/// </summary>
public sealed class TaskFreezer(RunnerRegistry runners, RunnerCalls calls, TaskNotifier notifier, ClusterPeers peers,
    TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <param name="relay">False when another node asked: this node acts itself, whatever the task's node says.</param>
    public async Task<FreezeOutcome> FreezeAsync(BgtaskDbContext db, long pid, CancellationToken ct, bool relay = true)
    {
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return new(Change.NotFound);
        if (Refusal(task, "frozen") is { } refusal) return new(new(ChangeOutcome.Conflict, task), refusal);
        if (relay && await RelayAsync(db, task, NodeCalls.FreezePath(pid), ct) is { } relayed) return relayed;
        if (!ProcessTree.IsSupported || runners.ProcessOf(task) is not { } root) return new(new(ChangeOutcome.Conflict, task), NoProcess(task));

        ProcessTree.Freeze(root);
        var change = await db.FreezeAsync(pid, ProcessTree.Memory(root), Now, ct);
        if (change.Outcome == ChangeOutcome.Conflict)
        {
            // It ended (or was thawed and ended) meanwhile: whatever is left of the tree is not held stopped by us.
            ProcessTree.Thaw(root);
            return new(change, $"Task {pid} is {Name(change.Task!.Status)}: only a running or sleeping task can be frozen.");
        }
        notifier.Applied(change);
        if (change.Outcome == ChangeOutcome.Changed) await calls.AppendLogAsync(db, pid, ["frozen"], ct);
        return new(change);
    }

    /// <inheritdoc cref="FreezeAsync"/>
    public async Task<FreezeOutcome> ThawAsync(BgtaskDbContext db, long pid, CancellationToken ct, bool relay = true)
    {
        var task = await db.FindTaskAsync(pid, ct);
        if (task is null) return new(Change.NotFound);
        if (Refusal(task, "thawed") is { } refusal) return new(new(ChangeOutcome.Conflict, task), refusal);
        if (relay && await RelayAsync(db, task, NodeCalls.ThawPath(pid), ct) is { } relayed) return relayed;
        var root = ProcessTree.IsSupported ? runners.ProcessOf(task) : null;
        if (!task.Frozen && root is null) return new(new(ChangeOutcome.Conflict, task), NoProcess(task));

        var change = await db.ThawAsync(pid, Now, ct);
        // Continued even when the stored flag was already clear: a tree left stopped by a failed call goes on.
        if (root is { } r) ProcessTree.Thaw(r);
        if (change.Outcome == ChangeOutcome.Conflict && change.Task!.Status.IsTerminal())
            return new(change, $"Task {pid} has ended ({Name(change.Task.Status)}); there is nothing to thaw.");
        notifier.Applied(change);
        if (change.Outcome == ChangeOutcome.Changed) await calls.AppendLogAsync(db, pid, ["thawed"], ct);
        return new(change.Outcome == ChangeOutcome.Conflict ? change with { Outcome = ChangeOutcome.Unchanged } : change);
    }

    /// <summary>
    /// The owner's answer as this node's outcome (the owner stored and announced the change); null when the task is
    /// this node's or its owner did not answer.
    /// </summary>
    private async Task<FreezeOutcome?> RelayAsync(BgtaskDbContext db, BackgroundTask task, string path, CancellationToken ct)
    {
        if (runners.OwnerElsewhere(task) is not { } node || await peers.AskAsync(node, path) is not { } answer) return null;
        var now = await db.FindTaskAsync(task.Id, ct);
        if (now is null || answer.Status == StatusCodes.Status404NotFound) return new(Change.NotFound);
        return answer.Status is >= 200 and < 300
            ? new(new(ChangeOutcome.Unchanged, now))
            : new(new(ChangeOutcome.Conflict, now), answer.Detail ?? $"Node {node}, which runs task {task.Id}, answered {answer.Status}.");
    }

    /// <summary>
    /// Before a stop (a client's signal or the time limit): a frozen task is thawed so it can reach its check-point
    /// and stop there.
    /// </summary>
    public async Task ThawForStopAsync(BgtaskDbContext db, long pid, CancellationToken ct)
    {
        if (await db.FindTaskAsync(pid, ct) is { Frozen: true }) await ThawAsync(db, pid, ct);
    }

    private static string? Refusal(BackgroundTask task, string verb) => task switch
    {
        { Launcher: LauncherKind.InProcess } =>
            $"Task {task.Id} runs inside the service (inprocess): it has no process tree of its own to be {verb}.",
        { Launcher: LauncherKind.External } =>
            $"Task {task.Id} is an external record: its processes are not the service's, so it cannot be {verb}.",
        { Status: BackgroundTaskStatus.Pending } =>
            $"Task {task.Id} is pending: it has not started yet, so there is no process to be {verb}.",
        { Status: var status } when status.IsTerminal() =>
            $"Task {task.Id} has ended ({Name(status)}): there is no process to be {verb}.",
        _ => null,
    };

    private static string NoProcess(BackgroundTask task) => task.RunnerHost is { } host && host != OsProcesses.Host
        ? $"Task {task.Id} runs on host {host}, not on this one: only its own host can freeze or thaw it."
        : !ProcessTree.IsSupported
            ? $"Task {task.Id} cannot be frozen here: freezing needs Linux /proc."
            : $"Task {task.Id} has no live worker process on this host (it is starting or has just exited).";

    private static string Name(BackgroundTaskStatus status) => status.ToString().ToLowerInvariant();
}
