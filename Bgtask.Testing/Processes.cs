using System.Diagnostics;

namespace Bgtask.Testing;

internal static class Processes
{
    /// <summary>SIGKILL and a bounded wait for the end; a process that has gone already is fine.</summary>
    public static void Kill(Process? process)
    {
        if (process is null) return;
        try
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // It has gone already.
        }
    }
}
