using System.Collections.Concurrent;

namespace Bgtask.Api.Launchers;

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
/// whether it is alive without this.
/// </summary>
public sealed class RunnerRegistry
{
    private readonly ConcurrentDictionary<long, IRunner> _runners = new();

    public int Count => _runners.Count;

    public void Add(long pid, IRunner runner) => _runners[pid] = runner;

    public void Remove(long pid, IRunner runner) => _runners.TryRemove(new KeyValuePair<long, IRunner>(pid, runner));

    public bool TryGet(long pid, out IRunner runner) => _runners.TryGetValue(pid, out runner!);

    public async Task<bool> KillAsync(long pid) => _runners.TryGetValue(pid, out var runner) && await runner.KillAsync();
}
