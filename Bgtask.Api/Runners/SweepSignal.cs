namespace Bgtask.Api.Runners;

/// <summary>
/// Ends the supervisor's wait between sweeps early: at once when a runner frees a slot (a queued launch can
/// start), and, while it rests because no task is live in the database, when this service sees something that
/// may make one live (a launch stored, a state report). Busy, it sweeps every <c>Tasks:SweepInterval</c> as
/// before and reports do not cut that short.
/// </summary>
public sealed class SweepSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private int _armed;

    public void SlotFreed() => _signal.Release();

    /// <summary>Cheap on the hot paths: only the first call after <see cref="Arm"/> wakes anything.</summary>
    public void Activity()
    {
        if (Volatile.Read(ref _armed) == 1 && Interlocked.Exchange(ref _armed, 0) == 1) _signal.Release();
    }

    /// <summary>Before the sweep looks for live tasks: what happens from then on ends a rest, so nothing is missed.</summary>
    public void Arm() => Volatile.Write(ref _armed, 1);

    /// <summary>Busy after all: takes back the wake an activity gave meanwhile, so reports do not make it sweep nonstop.</summary>
    public void Disarm()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 0) _signal.Wait(0);
    }

    /// <summary>Completes on a wake or when the timeout passes; wakes given meanwhile are folded into this one.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        await _signal.WaitAsync(timeout, ct);
        while (_signal.Wait(0)) { }
    }
}
