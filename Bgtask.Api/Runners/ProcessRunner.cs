using System.Diagnostics;

namespace Bgtask.Api.Runners;

/// <summary>A worker OS process. Kill ends its whole process tree.</summary>
public sealed class ProcessRunner(Process process, TimeSpan killWait) : IRunner
{
    public Process Process => process;

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
            process.Kill(entireProcessTree: true);
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
