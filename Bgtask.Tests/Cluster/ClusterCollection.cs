namespace Bgtask.Tests.Cluster;

/// <summary>
/// The cluster tests (a Galera cluster, replicas, haproxy: real processes): one collection, run alone, since they
/// share one Galera cluster (<see cref="SharedGalera"/>) and the machine's cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "Cluster";
}
