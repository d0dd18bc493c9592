using System.Runtime.CompilerServices;

namespace Bgtask.Worker.Sdk;

/// <summary>
/// Wakes the runner's reporter when a task's progress, status or log changes, so an idle worker does not wake on a
/// timer to find nothing new: it sleeps until a change or its heartbeat is due. Armed only while the reporter waits,
/// so a busy task's <see cref="TaskContext.Advance"/> pays one read of a field; the first change after a quiet spell
/// wakes the reporter once, and the reporter then coalesces what follows on its report interval.
/// </summary>
internal sealed class ChangeSignal
{
    private readonly SemaphoreSlim _changed = new(0);
    private int _armed;

    /// <summary>Called after a change is made (the change first: the reporter looks after it disarms).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Notify()
    {
        if (Volatile.Read(ref _armed) != 0) Wake();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Wake()
    {
        if (Interlocked.Exchange(ref _armed, 0) != 0) _changed.Release();
    }

    /// <summary>
    /// Arms, then waits for a change or the timeout, unless <paramref name="hasNews"/> (read after arming: a change made
    /// just before is seen there, one made just after notifies) already says something is waiting to be sent.
    /// </summary>
    public async Task WaitAsync(Func<bool> hasNews, TimeSpan timeout, CancellationToken ct)
    {
        Interlocked.Exchange(ref _armed, 1); // a full fence: the news below are read after the arming is seen
        try
        {
            if (!hasNews() && timeout > TimeSpan.Zero) await _changed.WaitAsync(timeout, ct);
        }
        finally
        {
            // A notifier that disarmed first has released (or is about to): that wake is left for the next wait,
            // which then looks once more and finds nothing new, or finds the change it was for.
            Interlocked.Exchange(ref _armed, 0);
        }
    }
}
