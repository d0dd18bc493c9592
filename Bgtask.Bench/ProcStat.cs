namespace Bgtask.Bench;

public static class ProcStat
{
    public static (long RssBytes, double CpuSeconds) Read(int pid)
    {
        var rss = 0L;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[11] and [12] are utime and stime (fields 14 and 15 of the whole line), in clock ticks.
        var cpu = (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
        return (rss, cpu);
    }

    /// <summary>Direct children of a process (Linux), from /proc/*/stat.</summary>
    public static IEnumerable<int> Children(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); } catch (IOException) { continue; }
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1]) == parent) yield return pid;
        }
    }
}
