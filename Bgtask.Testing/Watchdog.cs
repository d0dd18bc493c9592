using System.Diagnostics;

namespace Bgtask.Testing;

/// <summary>
/// A shell that outlives this process to end what it started when it dies without its exit handlers (killed,
/// crashed). It checks the command line before killing, so a pid reused meanwhile is left alone.
/// </summary>
internal static class Watchdog
{
    /// <summary>Kills <paramref name="pid"/> if its command line still contains <paramref name="marker"/>.</summary>
    public static Process ForPid(int pid, string marker) =>
        Start($"p={pid}", marker, folder: null, $" && kill -0 {pid} 2>/dev/null");

    /// <summary>
    /// Kills the process named by <paramref name="pidFile"/> at that moment (a server restarted since has a new pid)
    /// if its command line contains <paramref name="folder"/>, then removes the folder.
    /// </summary>
    public static Process ForPidFile(string pidFile, string folder) =>
        Start($"p=$(cat '{pidFile}' 2>/dev/null)", folder, folder, "");

    /// <summary>Kills a watchdog that is no longer needed; one already gone is fine.</summary>
    public static void Stop(Process? watchdog)
    {
        Processes.Kill(watchdog);
        watchdog?.Dispose();
    }

    private static Process Start(string readPid, string marker, string? folder, string whileAlsoAlive)
    {
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null{whileAlsoAlive}; do sleep 1; done; {readPid}; " +
                     $"if [ -n \"$p\" ] && grep -q '{marker}' /proc/$p/cmdline 2>/dev/null; then kill -9 $p; sleep 1; fi" +
                     (folder is null ? "" : $"; rm -rf '{folder}'");
        return Process.Start(new ProcessStartInfo("/bin/sh") { UseShellExecute = false, ArgumentList = { "-c", script } })!;
    }
}
