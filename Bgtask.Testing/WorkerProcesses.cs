using System.Diagnostics;

namespace Bgtask.Testing;

/// <summary>The worker OS processes of a task, found by the environment the service gave them.</summary>
public static class WorkerProcesses
{
    /// <summary>The OS pid of the worker running <paramref name="pid"/> for the API at <paramref name="api"/>, or null.</summary>
    public static int? Find(Uri api, long pid) =>
        Scan(api).Where(w => w.Pid == pid).Select(w => (int?)w.OsPid).FirstOrDefault();

    public static bool IsGone(Uri api, long pid) => Find(api, pid) is null;

    /// <summary>Waits (30 s at most) for the worker of <paramref name="pid"/> to appear and returns its OS pid.</summary>
    public static async Task<int> WaitForAsync(Uri api, long pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (Find(api, pid) is { } osPid) return osPid;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The worker process of task {pid} did not appear.");
            await Task.Delay(20);
        }
    }

    public static void KillAllOf(Uri api)
    {
        foreach (var (osPid, _) in Scan(api)) Kill(osPid);
    }

    /// <summary>SIGKILL by OS pid; a process already gone is fine.</summary>
    public static void Kill(int osPid)
    {
        try
        {
            using var process = Process.GetProcessById(osPid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
        }
    }

    /// <summary>Live processes whose environment has <c>BGTASK_API_URL</c> = <paramref name="api"/>.</summary>
    private static IEnumerable<(int OsPid, long Pid)> Scan(Uri api)
    {
        var url = "BGTASK_API_URL=" + Normalize(api);
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var osPid)) continue;
            string environment;
            try { environment = File.ReadAllText(Path.Combine(folder, "environ")); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            // A zombie (exited, not yet reaped) has an empty environment: it is gone for our purposes.
            var variables = environment.Split('\0');
            if (!variables.Contains(url)) continue;
            var pidVariable = variables.FirstOrDefault(v => v.StartsWith("BGTASK_PID=", StringComparison.Ordinal));
            if (pidVariable is not null && long.TryParse(pidVariable["BGTASK_PID=".Length..], out var pid))
                yield return (osPid, pid);
        }
    }

    private static string Normalize(Uri api) => new Uri(api.GetLeftPart(UriPartial.Authority) + "/").AbsoluteUri;
}
