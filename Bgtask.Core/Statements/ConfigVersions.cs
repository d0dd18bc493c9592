using System.Text.Json;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

public enum ConfigOutcome { Ok, NotFound, Conflict, PreconditionFailed }

public readonly record struct ConfigResult(ConfigOutcome Outcome, int Version, string? Json);

/// <summary>
/// A task's config is versioned: each PUT inserts version N+1, and the (pid, version) key makes the
/// insert the arbiter, so of two writers that both read N only one makes N+1. With If-Match the loser
/// gets 412; without, it reads again and goes on top.
/// </summary>
public static class ConfigVersions
{
    public const string Empty = "{}";

    public static async Task<ConfigResult> GetConfigAsync(this BgtaskDbContext db, long pid, CancellationToken ct)
    {
        if (!await db.Tasks.AnyAsync(t => t.Id == pid, ct)) return new(ConfigOutcome.NotFound, 0, null);
        var row = await db.Configs.AsNoTracking()
            .Where(c => c.Pid == pid)
            .OrderByDescending(c => c.Version)
            .FirstOrDefaultAsync(ct);
        return row is null ? new(ConfigOutcome.Ok, 1, Empty) : new(ConfigOutcome.Ok, row.Version, row.Json);
    }

    public static async Task<int?> GetConfigVersionAsync(this BgtaskDbContext db, long pid, CancellationToken ct) =>
        await db.Configs.Where(c => c.Pid == pid).MaxAsync(c => (int?)c.Version, ct);

    /// <param name="expectedVersion">The If-Match version; null for none (or <c>*</c>).</param>
    /// <remarks>
    /// The reads, the insert of N+1 and the task's version move are one transaction, run again from the reads after
    /// a transient error, so a retry neither makes N+2 nor answers 412 for its own N+1. Lost during COMMIT, the row
    /// N+1 tells: if it holds this config, it is this call's (a writer of the very same config at the same moment
    /// would leave the same result).
    /// </remarks>
    public static async Task<ConfigResult> PutConfigAsync(this BgtaskDbContext db, long pid, JsonElement config,
        int? expectedVersion, DateTime now, CancellationToken ct)
    {
        var json = config.GetRawText();
        for (var attempt = 0; ; attempt++)
        {
            var next = 0;
            try
            {
                return await db.InTransactionAsync(async ct =>
                {
                    db.ChangeTracker.Clear();
                    var status = await db.Tasks.Where(t => t.Id == pid).Select(t => (BackgroundTaskStatus?)t.Status)
                        .FirstOrDefaultAsync(ct);
                    if (status is null) return new ConfigResult(ConfigOutcome.NotFound, 0, null);
                    var current = await db.GetConfigVersionAsync(pid, ct) ?? 1;
                    if (status.Value.IsTerminal()) return new(ConfigOutcome.Conflict, current, null);
                    if (expectedVersion is { } expected && expected != current)
                        return new(ConfigOutcome.PreconditionFailed, current, null);

                    next = current + 1;
                    db.Configs.Add(new TaskConfig { Pid = pid, Version = next, Json = json, CreatedAt = now });
                    await db.SaveChangesAsync(ct);
                    db.ChangeTracker.Clear();
                    await db.Tasks.Where(t => t.Id == pid && t.ConfigVersion < next)
                        .ExecuteUpdateAsync(s => s.SetProperty(t => t.ConfigVersion, next), ct);
                    return new(ConfigOutcome.Ok, next, json);
                }, async ct => next > 0 && await db.Configs.Where(c => c.Pid == pid && c.Version == next)
                    .Select(c => c.Json).FirstOrDefaultAsync(ct) == json, ct);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // Another writer made N+1 first (the transaction is rolled back).
                db.ChangeTracker.Clear();
                if (expectedVersion is not null) return new(ConfigOutcome.PreconditionFailed, next, null);
                if (attempt >= 20) throw;
            }
        }
    }
}
