namespace Bgtask.Bench.Soak;

/// <summary>This process's resident set size, from /proc/self/statm (its second field, in pages).</summary>
public static class ProcessRss
{
    public static long Read()
    {
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * Environment.SystemPageSize;
    }
}
