using System.Globalization;
using System.Runtime.InteropServices;

namespace Bgtask.Api.Runners;

/// <summary>
/// A runner's whole OS process tree on Linux, found by a <c>/proc</c> walk from the root down: each process's
/// <c>/proc/&lt;pid&gt;/task/&lt;tid&gt;/children</c> names its children, so one walk reads two or three small files per
/// process of the tree (tens of microseconds for a worker and a few children). On a kernel without those files every
/// <c>/proc/&lt;pid&gt;/stat</c> of the host is read for its parent pid instead (about a millisecond for a few hundred). Freeze and thaw send
/// SIGSTOP and SIGCONT to each process rather than using the cgroup v2 freezer: the service does not run each task
/// in a cgroup of its own (that needs a delegated cgroup subtree, which a plain user service or container does not
/// have), and signals reach exactly the tree, which is what a task is here. A process that left the tree (double
/// fork, reparented to init) is no longer found; a shell pipeline, a <c>make</c> and their children are.
/// </summary>
public static partial class ProcessTree
{
    // Linux signal numbers (x86-64 and arm64 agree).
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    private const int MaxFreezePasses = 50;

    public static bool IsSupported => OperatingSystem.IsLinux() && Directory.Exists("/proc/self");

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Sends a signal to one process; false when it is gone.</summary>
    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>One process as /proc shows it now.</summary>
    public readonly record struct Stat(int Pid, int ParentPid, char State, long CpuTicks, long RssBytes);

    /// <summary>The root and its descendants, parents before their children (breadth first).</summary>
    public static List<Stat> Walk(int root) => HasChildrenFiles ? WalkByChildren(root) : WalkByScan(root);

    // /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN, on in the common distributions' kernels) lists each
    // thread's children: the walk then reads only the tree's own files, not one per process of the host.
    private static readonly bool HasChildrenFiles =
        OperatingSystem.IsLinux() && File.Exists($"/proc/{Environment.ProcessId}/task/{Environment.ProcessId}/children");

    private static List<Stat> WalkByChildren(int root)
    {
        var tree = new List<Stat>();
        var seen = new HashSet<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            var pid = queue.Dequeue();
            if (!seen.Add(pid) || Read(pid) is not { } stat) continue;
            tree.Add(stat);
            IEnumerable<string> threads;
            try { threads = Directory.EnumerateDirectories($"/proc/{pid}/task").ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            foreach (var thread in threads)
            {
                string children;
                try { children = File.ReadAllText(Path.Combine(thread, "children")); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var c)) queue.Enqueue(c);
            }
        }
        return tree;
    }

    private static List<Stat> WalkByScan(int root)
    {
        var all = ReadAll();
        var children = all.Values.ToLookup(s => s.ParentPid);
        var tree = new List<Stat>();
        if (!all.TryGetValue(root, out var top)) return tree;
        tree.Add(top);
        for (var i = 0; i < tree.Count; i++)
            foreach (var child in children[tree[i].Pid])
                if (child.Pid != tree[i].Pid) tree.Add(child);
        return tree;
    }

    /// <summary>
    /// Stops the whole tree: the root first (so it starts no more children), then its descendants, walking again
    /// until a walk finds no process not yet stopped, so a child forked while the freeze ran is caught too.
    /// </summary>
    public static int Freeze(int root) => StopAll(root).Count;

    /// <summary>
    /// Kills the whole tree: stops it first (<see cref="Freeze"/>: a stopped process forks no more, so the walks end
    /// with every process of the tree found), then SIGKILL to each, children before the root. Killing the root first
    /// would reparent its children to init, out of reach of a walk from the root. Reads only the tree's own /proc
    /// files, unlike <c>Process.Kill(entireProcessTree: true)</c>, which reads every process of the host per kill.
    /// </summary>
    public static int KillTree(int root)
    {
        var tree = StopAll(root);
        for (var i = tree.Count - 1; i >= 0; i--) Signal(tree[i], SigKill);
        return tree.Count;
    }

    // The pids stopped, parents before their children.
    private static List<int> StopAll(int root)
    {
        var stopped = new HashSet<int>();
        var order = new List<int>();
        for (var pass = 0; pass < MaxFreezePasses; pass++)
        {
            var fresh = Walk(root).Where(s => !stopped.Contains(s.Pid)).ToList();
            if (fresh.Count == 0) break;
            foreach (var process in fresh)
            {
                Signal(process.Pid, SigStop); // false when it is gone: nothing left to stop either way
                if (stopped.Add(process.Pid)) order.Add(process.Pid);
            }
        }
        return order;
    }

    /// <summary>Lets the tree go on: the children first, the root last (the reverse of <see cref="Freeze"/>).</summary>
    public static int Thaw(int root)
    {
        var tree = Walk(root);
        for (var i = tree.Count - 1; i >= 0; i--) Signal(tree[i].Pid, SigCont);
        return tree.Count;
    }

    /// <summary>Sends a signal to every process of the tree (children first, the root last).</summary>
    public static int SignalAll(int root, int signal)
    {
        var tree = Walk(root);
        for (var i = tree.Count - 1; i >= 0; i--) Signal(tree[i].Pid, signal);
        return tree.Count;
    }

    /// <summary>The resident memory of the whole tree, in bytes; null when the root is gone.</summary>
    public static long? Memory(int root)
    {
        var tree = Walk(root);
        return tree.Count == 0 ? null : tree.Sum(s => s.RssBytes);
    }

    private static Dictionary<int, Stat> ReadAll()
    {
        var all = new Dictionary<int, Stat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (Read(pid) is { } stat) all[pid] = stat;
        }
        return all;
    }

    /// <summary>/proc/&lt;pid&gt;/stat of one process, or null when it is gone.</summary>
    public static Stat? Read(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // The command name (field 2) is in parentheses and may hold spaces: the fields after it follow the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0) return null;
        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); ppid is field 4, utime 14, stime 15, rss (pages) 24.
        if (fields.Length < 22) return null;
        static long At(string[] f, int field) => long.Parse(f[field - 3], CultureInfo.InvariantCulture);
        return new Stat(pid, (int)At(fields, 4), fields[0][0], At(fields, 14) + At(fields, 15),
            At(fields, 24) * Environment.SystemPageSize);
    }
}
