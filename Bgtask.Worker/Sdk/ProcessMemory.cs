namespace Bgtask.Worker.Sdk;

/// <summary>
/// The memory of the process running the task, as reported with its progress. Reading it is not free (the
/// runtime parses /proc each time) and every task of a process shares the figure (a service running a thousand
/// in-process tasks): it is read at most every <see cref="Refresh"/> ms, whoever asks.
/// </summary>
internal sealed class ProcessMemory
{
    private const long Refresh = 100;
    private static readonly Lock SampleLock = new();
    private static long s_current;
    private static long s_sampledAt = long.MinValue / 2; // never sampled (no overflow in now - s_sampledAt)
    private long _peak;

    public (long Current, long Peak) Sample()
    {
        var current = Current();
        var peak = Math.Max(Interlocked.Read(ref _peak), current);
        Interlocked.Exchange(ref _peak, peak);
        return (current, peak);
    }

    private static long Current()
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref s_sampledAt) < Refresh) return Volatile.Read(ref s_current);
        lock (SampleLock)
        {
            if (now - s_sampledAt >= Refresh)
            {
                Volatile.Write(ref s_current, Environment.WorkingSet);
                Volatile.Write(ref s_sampledAt, now);
            }
            return s_current;
        }
    }
}
