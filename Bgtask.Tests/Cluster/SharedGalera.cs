namespace Bgtask.Tests.Cluster;

/// <summary>
/// The one Galera cluster of a test run (on 127.0.0.11-13), started by the first cluster test that asks for it (about
/// 30 s) and stopped when the test process exits; every cluster test class gets a database of its own on it. A test
/// that kills a node restarts it (<see cref="GaleraCluster.RestartKilledAsync"/>) before it ends. Missing packages
/// fail the tests that need it, with the command that installs them.
/// </summary>
public static class SharedGalera
{
    private static readonly Lazy<Task<GaleraCluster>> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<GaleraCluster> InstanceAsync() => Shared.Value;

    private static async Task<GaleraCluster> Start()
    {
        var cluster = await GaleraCluster.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Dispose();
        return cluster;
    }
}
