using System.Diagnostics;

namespace Bgtask.Api.Runners;

/// <summary>
/// Looks up a runner's OS process by the pid and start time stored with its task: an OS pid can be
/// reused, the pair cannot.
/// </summary>
public static class OsProcesses
{
    public static readonly string Host = Environment.MachineName;

    public static DateTime CurrentStartTime { get; } = StartTimeUtc(Process.GetCurrentProcess()) ?? DateTime.UtcNow;

    public static DateTime? StartTimeUtc(Process process)
    {
        try { return process.StartTime.ToUniversalTime(); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The process if it is still the one that was started then (within a second), else null.</summary>
    public static Process? Find(int osPid, DateTime? startedAt)
    {
        Process process;
        try { process = Process.GetProcessById(osPid); }
        catch (ArgumentException) { return null; }
        catch (InvalidOperationException) { return null; }

        var started = StartTimeUtc(process);
        if (process.HasExited || (startedAt is { } expected && started is { } actual &&
                                  Math.Abs((actual - expected).TotalSeconds) > 1))
        {
            process.Dispose();
            return null;
        }
        return process;
    }
}
