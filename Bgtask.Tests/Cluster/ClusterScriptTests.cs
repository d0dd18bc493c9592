using System.Net.Sockets;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Packaging;
using Bgtask.Tests.Workers;
using Xunit.Abstractions;

namespace Bgtask.Tests.Cluster;

/// <summary>
/// scripts/cluster.sh, as someone trying Bgtask would run it: start, a task through the balancer, status, stop. In a
/// state folder and on ports of its own, so it never meets a cluster the user started or the tests' one.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterScriptTests : IDisposable
{
    private static readonly string Script = Path.Combine(Repository.Root, "scripts", "cluster.sh");
    private static readonly string[] GaleraAddresses = ["127.0.0.21", "127.0.0.22", "127.0.0.23"];

    private readonly string _state = Path.Combine(Path.GetTempPath().Length <= 40 ? Path.GetTempPath() : "/tmp",
        $"bgtask-cluster-{Guid.NewGuid():N}"[..23]);

    private readonly Dictionary<string, string> _environment;
    private readonly ITestOutputHelper _output;

    public ClusterScriptTests(ITestOutputHelper output)
    {
        _output = output;
        _environment = ScriptEnvironment(_state);
    }

    public void Dispose()
    {
        // Whatever a failed test left running: the script stops it by its pids.
        if (Directory.Exists(_state))
        {
            Command.RunAsync(Script, ["stop"], Repository.Root, TimeSpan.FromMinutes(3), _environment).GetAwaiter().GetResult();
            Directory.Delete(_state, recursive: true);
        }
    }

    [Fact]
    public async Task Start_RunsATaskThroughTheBalancer_Stop_LeavesNoProcess()
    {
        var start = await Command.RunAsync(Script, ["start"], Repository.Root, TimeSpan.FromMinutes(10), _environment);
        _output.WriteLine(start.Output);
        start.Succeeded("cluster.sh start");
        var pids = Pids();
        Assert.Equal(6, pids.Count); // three Galera nodes, two replicas, haproxy

        using var balancer = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_environment["BGTASK_CLUSTER_PORT"]}/") };
        var task = await balancer.LaunchAsync("demo.count", new { total = 5, delayMs = 100 });
        var ended = await balancer.WaitForStatusAsync(task.Pid, Statuses.Finished, TimeSpan.FromMinutes(2));
        Assert.Equal((5L, 5L), (ended.OpTotal, ended.OpFinished));

        var status = await Command.RunAsync(Script, ["status"], Repository.Root, TimeSpan.FromMinutes(1), _environment);
        _output.WriteLine(status.Output);
        status.Succeeded("cluster.sh status");
        Assert.Contains("replica n2", status.Output);
        Assert.DoesNotContain("not running", status.Output);

        (await Command.RunAsync(Script, ["stop"], Repository.Root, TimeSpan.FromMinutes(3), _environment)).Succeeded("cluster.sh stop");

        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"pid {pid} is still alive after stop"));
        Assert.Empty(Pids());
    }

    /// <summary>The pids in the script's pid files: mariadbd.pid of each Galera node (beside the pid file mariadbd
    /// writes itself), pid of each replica, haproxy.pid.</summary>
    private List<int> Pids() =>
        Directory.EnumerateFiles(_state, "*pid", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(file) is "mariadbd.pid" or "haproxy.pid" ||
                           (Path.GetFileName(file) == "pid" && Path.GetFileName(Path.GetDirectoryName(file)!).StartsWith("replica-")))
            .Select(file => int.Parse(File.ReadAllText(file).Trim()))
            .ToList();

    private static Dictionary<string, string> ScriptEnvironment(string state)
    {
        var galera = GaleraPorts.FreeOn(GaleraAddresses);
        var release = File.Exists(Path.Combine(Repository.Root, "Bgtask.Api", "bin", "Release", "net10.0", "Bgtask.Api"));
        return new Dictionary<string, string>
        {
            ["BGTASK_CLUSTER_DIR"] = state,
            ["BGTASK_CLUSTER_PORT"] = FreeRunOfThree().ToString(),
            ["BGTASK_CLUSTER_DB_PORT"] = galera.Sql.ToString(),
            ["BGTASK_CLUSTER_GALERA_PORTS"] = $"{galera.Group} {galera.Ist} {galera.Sst}",
            // The tests' build has made it already (scripts/test.sh builds Release).
            ["BGTASK_CLUSTER_BUILD"] = release ? "0" : "1",
        };
    }

    /// <summary>A port free with the next two (haproxy, then the two replicas).</summary>
    private static int FreeRunOfThree()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Loopback.FreePort();
            if (port < 65000 && IsFree(port + 1) && IsFree(port + 2)) return port;
            if (attempt > 100) throw new InvalidOperationException("No three consecutive free ports.");
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
