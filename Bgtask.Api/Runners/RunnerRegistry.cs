using System.Collections.Concurrent;
using Bgtask.Api.Cluster;
using Bgtask.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Runners;

/// <summary>A runner this service started: a worker process or an in-process run.</summary>
public interface IRunner
{
    bool IsAlive { get; }

    /// <summary>Ends the run for real; true when it was alive and now is not.</summary>
    Task<bool> KillAsync();
}

/// <summary>
/// The runners this process started and watches. Only an optimisation of this replica: the database has
/// each runner's host, OS pid and start time, so another replica (or this one after a restart) can tell
/// whether a runner on its host is alive, and end it, without this.
/// </summary>
public sealed class RunnerRegistry(IOptions<WorkerOptions> options, SweepSignal sweep, ClusterPeers peers,
    IOptions<ClusterOptions> cluster)
{
    private readonly ConcurrentDictionary<long, IRunner> _runners = new();
    private readonly TimeSpan _killWait = options.Value.KillWait;

    public int Count => _runners.Count;

    public void Add(long pid, IRunner runner) => _runners[pid] = runner;

    /// <summary>The task's runner if this process holds one.</summary>
    public IRunner? Find(long pid) => _runners.TryGetValue(pid, out var runner) ? runner : null;

    public void Remove(long pid, IRunner runner)
    {
        if (_runners.TryRemove(new KeyValuePair<long, IRunner>(pid, runner))) sweep.SlotFreed();
    }

    /// <summary>Whether the task's runner is alive; true when it cannot be known from here (another host).</summary>
    public bool IsAlive(BackgroundTask task)
    {
        if (task.Launcher == LauncherKind.External || task.Status.IsTerminal()) return true;
        if (_runners.TryGetValue(task.Id, out var runner)) return runner.IsAlive;
        if (task.RunnerOsPid is not { } osPid || task.RunnerHost != OsProcesses.Host) return true;
        // A runner recorded on this host that this process does not hold: an in-process run of this very
        // process has ended; anything else is looked up by OS pid and start time.
        if (osPid == Environment.ProcessId) return false;
        using var process = OsProcesses.Find(osPid, task.RunnerStartedAt);
        return process is not null;
    }

    /// <summary>
    /// The OS pid of the task's worker process if it runs on this host and is alive: one of ours, or one a previous
    /// run of the service started (by its recorded OS pid and start time). Null for in-process runs and other hosts.
    /// </summary>
    public int? ProcessOf(BackgroundTask task)
    {
        if (task.Launcher != LauncherKind.Process) return null;
        if (_runners.ContainsKey(task.Id)) return HeldProcessId(task.Id);
        if (task.RunnerHost != OsProcesses.Host || task.RunnerOsPid is not { } osPid || osPid == Environment.ProcessId)
            return null;
        using var process = OsProcesses.Find(osPid, task.RunnerStartedAt);
        return process is null ? null : osPid;
    }

    /// <summary>The OS pid of the task's worker process if this process holds it and it is alive.</summary>
    public int? HeldProcessId(long pid)
    {
        if (!_runners.TryGetValue(pid, out var runner) || runner is not ProcessRunner { IsAlive: true } ours) return null;
        try { return ours.Process.Id; }
        catch (InvalidOperationException) { return null; } // exited and disposed just now
    }

    /// <summary>The memory of the task's worker process tree if this process holds that worker (sampled at most once a second).</summary>
    public long? HeldTreeMemory(long pid) =>
        ProcessTree.IsSupported && _runners.TryGetValue(pid, out var runner) && runner is ProcessRunner { IsAlive: true } ours
            ? ours.TreeMemory()
            : null;

    /// <summary>
    /// Ends the task's runner wherever it runs: one this process holds; in a cluster, one another node holds is ended
    /// by that node (asked directly); otherwise, or when that node does not answer, a worker process recorded on this
    /// host. A runner out of reach ends itself when it learns its task has ended, and its node ends it when it starts.
    /// </summary>
    public async Task<bool> KillAsync(BackgroundTask task)
    {
        if (OwnerElsewhere(task) is { } node && await peers.KillRunnerAsync(node, task.Id) is { } killed) return killed;
        return await KillHereAsync(task);
    }

    /// <summary>
    /// In a cluster, the live node other than this one that started the task's runner (which alone can reach its
    /// processes when it runs on another host); null when the runner is this node's, or its node is not live.
    /// </summary>
    public string? OwnerElsewhere(BackgroundTask task) =>
        cluster.Value.Enabled && !_runners.ContainsKey(task.Id) && task.RunnerNode is { } node &&
        node != cluster.Value.NodeName && peers.IsLive(node)
            ? node
            : null;

    /// <summary>Ends the task's runner if this host can: one of ours, or a worker process recorded on this host.</summary>
    public async Task<bool> KillHereAsync(BackgroundTask task)
    {
        if (_runners.TryGetValue(task.Id, out var runner)) return await runner.KillAsync();
        if (task.Launcher != LauncherKind.Process || task.RunnerHost != OsProcesses.Host ||
            task.RunnerOsPid is not { } osPid || osPid == Environment.ProcessId)
            return false;
        var process = OsProcesses.Find(osPid, task.RunnerStartedAt);
        if (process is null) return false;
        using (process) return await new ProcessRunner(process, _killWait).KillAsync();
    }
}
