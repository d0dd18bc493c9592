using System.ComponentModel.DataAnnotations;

namespace Bgtask.Api.Cluster;

/// <summary>The "Cluster" section: who this service node is, and whether it is one of several.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>This node's name, unique per node: stored with each task whose runner it starts (the task's <c>node</c>).</summary>
    [Required, MaxLength(Bgtask.Core.Storage.StorageLimits.NodeName)]
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>Shared by every node of a cluster; cluster mode is on when it is set. Node-to-node calls carry it.</summary>
    public string? Secret { get; set; }

    /// <summary>Where the other nodes reach this one (required in cluster mode), for example <c>http://10.0.0.5:8080/</c>.</summary>
    public Uri? NodeUrl { get; set; }

    /// <summary>
    /// How long a node counts as live after its last heartbeat (it renews a third of the way through). When a node
    /// dies, its in-process tasks end "node lost" and its name can be claimed again once this has passed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a call to another node may take before that node counts as unreachable for it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How reads are made to see writes committed through other database nodes (cluster mode only).</summary>
    public CausalReads CausalReads { get; set; } = CausalReads.Galera;

    public bool Enabled => !string.IsNullOrEmpty(Secret);

    /// <summary>How often a held signals read re-reads the database in cluster mode: what a lost node-to-node note costs.</summary>
    public static readonly TimeSpan HeldReadRecheck = TimeSpan.FromSeconds(1);
}
