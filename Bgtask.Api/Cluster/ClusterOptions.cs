using System.ComponentModel.DataAnnotations;

namespace Bgtask.Api.Cluster;

/// <summary>The "Cluster" section: who this service node is.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>This node's name, unique per node: stored with each task whose runner it starts (the task's <c>node</c>).</summary>
    [Required, MaxLength(Bgtask.Core.Storage.StorageLimits.NodeName)]
    public string NodeName { get; set; } = Environment.MachineName;
}
