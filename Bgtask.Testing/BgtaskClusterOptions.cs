namespace Bgtask.Testing;

/// <summary>How a <see cref="BgtaskCluster"/> is made: how many replicas, how the balancer spreads requests, more settings.</summary>
public sealed record BgtaskClusterOptions
{
    public int Replicas { get; init; } = 2;

    public HaproxyBalancing Balancing { get; init; } = HaproxyBalancing.PerRequest;

    /// <summary>More settings for every replica (after the cluster's own, so they may override them).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>More settings for one replica, by its number (from 1), after <see cref="Settings"/>.</summary>
    public Func<int, IEnumerable<KeyValuePair<string, string>>>? ReplicaSettings { get; init; }

    /// <summary>False: no <c>Cluster:*</c> settings, so the replicas run as independent nodes over one database.</summary>
    public bool ClusterMode { get; init; } = true;

    /// <summary>
    /// Replica i writes through Galera node i (the others only when it is down) instead of all through the first: two
    /// nodes' writes to one row then meet Galera's certification, and reads must wait for the other node's writes.
    /// </summary>
    public bool OwnDatabaseNode { get; init; }

    /// <summary>The service's binaries (a publish output, for the bench); null: the build beside this program.</summary>
    public string? ServiceFolder { get; init; }

    /// <summary><c>Cluster:Secret</c>, the same on every replica; null: a new random one.</summary>
    public string? Secret { get; init; }
}
