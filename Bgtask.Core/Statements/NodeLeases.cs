using Bgtask.Core.Nodes;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

/// <summary>
/// The nodes table: each node claims its name with a lease and renews it; a name whose lease ran out (or whose node
/// left) can be claimed again, a live one cannot. What a node holds in memory for a task is trusted only while its
/// lease is.
/// </summary>
public static class NodeLeases
{
    /// <summary>Nodes whose lease is current at <paramref name="cutoff"/> (their last heartbeat) and that did not leave.</summary>
    public static IQueryable<ServiceNode> WhereLeased(this IQueryable<ServiceNode> nodes, DateTime cutoff) =>
        nodes.Where(n => n.LeftAt == null && n.HeartbeatAt >= cutoff);

    /// <summary>
    /// Claims <paramref name="me"/>'s name: its row is new, or its lease ran out before <paramref name="cutoff"/>, or
    /// it left, or it is this very instance's. Null when claimed; else the live node that holds the name.
    /// </summary>
    public static async Task<ServiceNode?> ClaimNodeAsync(this BgtaskDbContext db, ServiceNode me, DateTime cutoff,
        CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var taken = await db.Nodes
                .Where(n => n.Name == me.Name && (n.Instance == me.Instance || n.LeftAt != null || n.HeartbeatAt < cutoff))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(n => n.Url, me.Url)
                    .SetProperty(n => n.Instance, me.Instance)
                    .SetProperty(n => n.StartedAt, me.StartedAt)
                    .SetProperty(n => n.HeartbeatAt, me.HeartbeatAt)
                    .SetProperty(n => n.Slots, me.Slots)
                    .SetProperty(n => n.LeftAt, (DateTime?)null), ct);
            if (taken == 1) return null;
            var holder = await db.Nodes.AsNoTracking().FirstOrDefaultAsync(n => n.Name == me.Name, ct);
            if (holder is not null) return holder;
            try
            {
                db.Nodes.Add(me);
                await db.SaveChangesAsync(ct);
                return null;
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e) && attempt == 0)
            {
                // Another process inserted the name just now: look again (it is live, or it is us).
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    /// <summary>Renews this instance's lease; false when the row is no longer this instance's (another took the name).</summary>
    public static async Task<bool> RenewNodeAsync(this BgtaskDbContext db, string name, string instance, int slots,
        DateTime now, CancellationToken ct) =>
        await db.Nodes.Where(n => n.Name == name && n.Instance == instance && n.LeftAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.HeartbeatAt, now).SetProperty(n => n.Slots, slots), ct) == 1;

    /// <summary>A node that stops gracefully leaves at once instead of waiting for its lease to run out.</summary>
    public static async Task LeaveNodeAsync(this BgtaskDbContext db, string name, string instance, DateTime now,
        CancellationToken ct) =>
        await db.Nodes.Where(n => n.Name == name && n.Instance == instance)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.LeftAt, now), ct);

    public static Task<List<ServiceNode>> ListNodesAsync(this BgtaskDbContext db, CancellationToken ct) =>
        db.Nodes.AsNoTracking().OrderBy(n => n.Name).ToListAsync(ct);

    public static Task<List<ServiceNode>> LiveNodesAsync(this BgtaskDbContext db, DateTime cutoff, CancellationToken ct) =>
        db.Nodes.AsNoTracking().WhereLeased(cutoff).OrderBy(n => n.Name).ToListAsync(ct);

    /// <summary>How many live tasks each node runs (its process and in-process runners; records have none).</summary>
    public static async Task<Dictionary<string, int>> RunningPerNodeAsync(this BgtaskDbContext db, CancellationToken ct) =>
        await db.Tasks.WhereLive()
            .Where(t => t.RunnerNode != null && t.Launcher != LauncherKind.External)
            .GroupBy(t => t.RunnerNode!)
            .Select(g => new { Node = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Node, g => g.Count, ct);

    /// <summary>
    /// Live in-process runs of nodes that are not live at <paramref name="cutoff"/> (lease run out, left, or never
    /// registered): they died with their node.
    /// </summary>
    public static Task<List<long>> RunsOfLostNodesAsync(this BgtaskDbContext db, DateTime cutoff, CancellationToken ct) =>
        db.Tasks.WhereLive()
            .Where(t => t.Launcher == LauncherKind.InProcess && t.RunnerNode != null &&
                        !db.Nodes.WhereLeased(cutoff).Any(n => n.Name == t.RunnerNode))
            .Select(t => t.Id)
            .ToListAsync(ct);
}
