using System.Collections.Concurrent;

namespace Bgtask.Api.Notifications;

/// <summary>
/// Wakes the requests held by <c>GET signals?wait=</c> the moment this process stores a signal, a config
/// version or a terminal status for their task. Only an optimisation: a waiter also re-reads the database
/// now and then, so what another replica writes still reaches it.
/// </summary>
public sealed class TaskWakeups
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _waiters = new();

    /// <summary>Call before reading the database, then await after: a wake in between is not missed.</summary>
    public Task WhenWoken(long pid) =>
        _waiters.GetOrAdd(pid, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Wake(long pid)
    {
        if (_waiters.TryRemove(pid, out var waiter)) waiter.TrySetResult();
    }
}
