namespace Bgtask.Worker.Sdk;

/// <summary>The memory of the process running the task, as reported with its progress.</summary>
internal sealed class ProcessMemory
{
    private long _peak;

    public (long Current, long Peak) Sample()
    {
        var current = Environment.WorkingSet;
        var peak = Math.Max(Interlocked.Read(ref _peak), current);
        Interlocked.Exchange(ref _peak, peak);
        return (current, peak);
    }
}
