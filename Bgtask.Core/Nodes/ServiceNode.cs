namespace Bgtask.Core.Nodes;

/// <summary>
/// A service node of a cluster, as it registered itself: its name (unique), where the other nodes reach it, and its
/// lease: a node is live while its <see cref="HeartbeatAt"/> is younger than the lease. <see cref="Instance"/> tells
/// one run of a node from the next, so a second process with the same name cannot take over a live node's row.
/// </summary>
public class ServiceNode
{
    public required string Name { get; set; }
    public required string Url { get; set; }
    public required string Instance { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime HeartbeatAt { get; set; }

    /// <summary>When the node stopped (gracefully): not live from then on, whatever its lease says.</summary>
    public DateTime? LeftAt { get; set; }

    /// <summary>The node's <c>Tasks:MaxRunning</c>: how many runners it starts at most.</summary>
    public int Slots { get; set; }
}
