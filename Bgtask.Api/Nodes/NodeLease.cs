using Bgtask.Api.Cluster;
using Bgtask.Api.Launches;
using Bgtask.Core.Nodes;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Nodes;

/// <summary>
/// In cluster mode: claims this node's name in the nodes table at start (a live node with the same name makes the
/// start fail, after waiting out a lease that a previous run of this node may still hold), renews the lease a third
/// of the way through, keeps <see cref="ClusterPeers"/> current with the other live nodes, and leaves at shutdown.
/// Does nothing on a single node.
/// </summary>
public sealed class NodeLease(
    IServiceScopeFactory scopes,
    ClusterPeers peers,
    IOptions<ClusterOptions> cluster,
    IOptions<TasksOptions> tasks,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<NodeLease> logger) : BackgroundService
{
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private ClusterOptions Options => cluster.Value;
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>When this node claimed its name: its <c>startedAt</c>.</summary>
    public DateTime StartedAt { get; } = time.GetUtcNow().UtcDateTime;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Options.Enabled) await ClaimAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    private async Task ClaimAsync(CancellationToken ct)
    {
        // A node restarted at once finds its previous run's lease still current: that run is dead, but only the
        // lease running out can show it. A node that keeps renewing meanwhile is a live one with the same name.
        var giveUp = Now + Options.Lease * 1.5;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            var me = new ServiceNode
            {
                Name = Options.NodeName, Url = Options.NodeUrl!.ToString(), Instance = _instance,
                StartedAt = StartedAt, HeartbeatAt = Now, Slots = tasks.Value.MaxRunning,
            };
            var holder = await db.ClaimNodeAsync(me, Now - Options.Lease, ct);
            if (holder is null)
            {
                logger.LogInformation("Node {Node} joined the cluster at {Url}", me.Name, me.Url);
                await RefreshPeersAsync(db, ct);
                return;
            }
            if (Now > giveUp)
                throw new InvalidOperationException(
                    $"Another live node is named '{Options.NodeName}' (at {holder.Url}, started {holder.StartedAt:O}, " +
                    $"heartbeat {holder.HeartbeatAt:O}): give each node its own Cluster:NodeName.");
            logger.LogWarning("Node name {Node} is held by a lease from {Heartbeat:O}; waiting for it to run out",
                Options.NodeName, holder.HeartbeatAt);
            await Task.Delay(Options.Lease / 5, time, ct);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.Enabled) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.Lease / 3, time, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
                if (!await db.RenewNodeAsync(Options.NodeName, _instance, tasks.Value.MaxRunning, Now, stoppingToken))
                {
                    // Our lease ran out (this process stalled longer than the lease) and another process took the name:
                    // two nodes with one name would both act as its owner. This one stops.
                    logger.LogCritical("Node {Node}'s name was claimed by another process while this one's lease had run out; stopping",
                        Options.NodeName);
                    lifetime.StopApplication();
                    return;
                }
                await RefreshPeersAsync(db, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Renewing node {Node}'s lease failed; retrying", Options.NodeName);
            }
        }
    }

    private async Task RefreshPeersAsync(BgtaskDbContext db, CancellationToken ct)
    {
        var live = await db.LiveNodesAsync(Now - Options.Lease, ct);
        peers.Update(live.Where(n => n.Name != Options.NodeName && Uri.TryCreate(n.Url, UriKind.Absolute, out _))
            .Select(n => new Peer(n.Name, new Uri(n.Url))).ToList());
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!Options.Enabled) return;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            await db.LeaveNodeAsync(Options.NodeName, _instance, Now, cancellationToken);
            logger.LogInformation("Node {Node} left the cluster", Options.NodeName);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Node {Node} could not leave the cluster; its lease will run out", Options.NodeName);
        }
    }
}
