using Bgtask.Api.Cluster;
using Bgtask.Api.Notifications;
using Bgtask.Api.Runners;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Freezing;

/// <summary>
/// <c>kill</c>: the task is marked <c>stopped</c>, <c>killed</c> first, then its runner is ended, and <c>killed</c> says
/// whether a live runner was. In a cluster the node that runs the task does both (asked directly): only it knows
/// whether its runner was alive when the mark landed (the mark alone makes a worker end itself). When that node does
/// not answer, this node marks the task and ends what it can reach; the worker ends itself when it learns its task
/// has ended, and its node ends what is left when it starts again.
/// </summary>
public sealed class TaskKiller(RunnerCalls calls, RunnerRegistry runners, ClusterPeers peers)
{
    /// <returns>Whether a live runner was ended; null when the task does not exist.</returns>
    /// <param name="relay">False when another node asked: this node acts itself, whatever the task's node says.</param>
    public async Task<bool?> KillAsync(BgtaskDbContext db, long pid, CancellationToken ct, bool relay = true)
    {
        if (relay && await db.FindTaskAsync(pid, ct) is { } task && !task.Status.IsTerminal() &&
            runners.OwnerElsewhere(task) is { } node && await peers.AskKillAsync(node, pid) is { } answered)
            return answered;

        // Marked first, then ended: the runner's watcher then finds the task ended and leaves it as killed. An
        // in-process run learns of the mark at once and may be gone before it is looked for: noted beforehand.
        var live = runners.Find(pid) is { IsAlive: true } runner ? runner : null;
        var change = await calls.EndAsync(db, pid, BackgroundTaskStatus.Stopped, "killed", ct);
        if (change.Outcome == ChangeOutcome.NotFound) return null;
        if (change.Outcome != ChangeOutcome.Changed) return false;
        // An external record has no runner of ours: it is only marked, and nothing was ended.
        var killed = await runners.KillAsync(change.Task!) || live is { IsAlive: false };
        if (killed) await calls.AppendLogAsync(db, pid, ["killed"], CancellationToken.None);
        return killed;
    }
}
