using System.Diagnostics;

namespace Bgtask.Api.Runners;

/// <summary>A worker OS process. Kill ends its whole process tree.</summary>
public sealed class ProcessRunner(Process process, TimeSpan killWait) : IRunner
{
    public Process Process => process;

    // A worker reports about twice a second and a tree walk reads a file per thread of each process: the tree's
    // memory is read at most once a second per worker, and the reports in between get that sample.
    private const long TreeMemoryEveryMs = 1000;
    private long _treeMemoryAtMs = -TreeMemoryEveryMs; // the first call samples
    private long _treeMemory = -1; // -1: the tree was gone (a long is read and written whole; a long? is not)

    /// <summary>The memory of the worker's whole process tree (<see cref="ProcessTree.Memory"/>), sampled at most once a second.</summary>
    public long? TreeMemory()
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _treeMemoryAtMs) >= TreeMemoryEveryMs)
        {
            int root;
            try { root = process.Id; }
            catch (InvalidOperationException) { return null; } // exited and disposed just now
            Volatile.Write(ref _treeMemory, ProcessTree.Memory(root) ?? -1);
            Volatile.Write(ref _treeMemoryAtMs, now);
        }
        var bytes = Volatile.Read(ref _treeMemory);
        return bytes < 0 ? null : bytes;
    }

    public bool IsAlive
    {
        get
        {
            try { return !process.HasExited; }
            catch (InvalidOperationException) { return false; }
        }
    }

    public async Task<bool> KillAsync()
    {
        if (!IsAlive) return false;
        try
        {
            // Process.Kill(entireProcessTree: true) reads /proc/<pid>/stat of every process of the host to find the
            // children: with 1,000 workers, 1,000 kills read a million files. The tree's own walk reads its own.
            if (ProcessTree.IsSupported) ProcessTree.KillTree(process.Id);
            else process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            return false; // it exited on its own just now
        }
        using var wait = new CancellationTokenSource(killWait);
        try { await process.WaitForExitAsync(wait.Token); }
        catch (OperationCanceledException) { }
        catch (InvalidOperationException)
        {
            // Its watcher saw it exit (this very kill) and disposed it first: it is gone.
        }
        return !IsAlive;
    }
}
