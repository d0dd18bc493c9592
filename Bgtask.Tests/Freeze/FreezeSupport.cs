using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Freeze;

/// <summary>
/// Workers on SQLite with a heartbeat timeout short enough for a freeze to outlast it in a test, yet longer than the
/// worker's own 5 s heartbeat, and a quick sweep.
/// </summary>
public class FreezeApiFactory<TTarget> : WorkerApiFactory<TTarget> where TTarget : IStorageTarget
{
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(8);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Tasks:HeartbeatTimeout", HeartbeatTimeout.ToString()),
        new("Tasks:SweepInterval", "00:00:00.2"),
        new("Tasks:TimeoutGrace", "00:00:05"),
    ];
}

/// <summary>The freeze routes and what /proc says about a process tree, for the tests.</summary>
public static class Freezing
{
    public static async Task<TaskView> FreezeAsync(this HttpClient client, long pid) =>
        await (await client.PostAsync($"/api/tasks/{pid}/freeze", null)).ReadAsAsync<TaskView>(HttpStatusCode.OK);

    public static async Task<TaskView> ThawAsync(this HttpClient client, long pid) =>
        await (await client.PostAsync($"/api/tasks/{pid}/thaw", null)).ReadAsAsync<TaskView>(HttpStatusCode.OK);

    /// <summary>The state letter and CPU ticks (utime + stime) of one process, from /proc/&lt;pid&gt;/stat; null when gone.</summary>
    public static (char State, long CpuTicks)? Stat(int osPid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{osPid}/stat"); }
        catch (IOException) { return null; }
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], long.Parse(fields[11]) + long.Parse(fields[12]));
    }

    /// <summary>The root and all its descendants, by the ppid field of every /proc/&lt;pid&gt;/stat.</summary>
    public static List<int> Tree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
            try
            {
                var text = File.ReadAllText(Path.Combine(folder, "stat"));
                parents[pid] = int.Parse(text[(text.LastIndexOf(')') + 2)..].Split(' ')[1]);
            }
            catch (IOException) { }
        }
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
            tree.AddRange(parents.Where(p => p.Value == tree[i] && p.Key != tree[i]).Select(p => p.Key));
        return tree.Where(pid => Stat(pid) is not null).ToList();
    }

    public static bool AllStopped(IEnumerable<int> pids) => pids.All(pid => Stat(pid) is null or { State: 'T' or 't' or 'Z' }); // a zombie has exited: nothing to stop

    public static long CpuTicks(IEnumerable<int> pids) => pids.Sum(pid => Stat(pid)?.CpuTicks ?? 0);

    public static Task WaitAllStoppedAsync(int root) =>
        Eventually.TrueAsync(() => Task.FromResult(AllStopped(Tree(root))), $"every process of {root}'s tree to be in state T");
}
