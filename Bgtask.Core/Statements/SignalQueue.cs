using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Statements;

/// <summary>
/// The signals of a task, oldest first. Consuming is claim-then-delete: one UPDATE stamps every pending
/// signal with this reader's claim (atomic on SQLite, InnoDB and MEMORY alike, so two readers never share a
/// signal), then the claimed rows are read and deleted. A signal inserted during a read is either claimed by
/// that UPDATE or left pending for the next one: never lost. The transaction undoes a claim whose reader died.
/// A consume first looks with a plain read and writes only when the task has a signal row at all, so a held
/// read re-checking an empty queue takes no write lock (SQLite has one for the whole database).
/// </summary>
public static class SignalQueue
{
    /// <summary>
    /// One INSERT that commits by itself. A deadlock or an unready Galera node is retried (nothing was stored); a
    /// connection lost during it is not (<see cref="UnknownOutcomeInterceptor"/>): the signal may be stored, and no
    /// check can tell a rolled-back insert from one a reader already consumed, so the client gets 503 rather than
    /// a signal sent twice.
    /// </summary>
    public static async Task<(ChangeOutcome Outcome, TaskSignal? Signal)> SendSignalAsync(this BgtaskDbContext db,
        long pid, string signal, DateTime now, CancellationToken ct)
    {
        var status = await db.Tasks.Where(t => t.Id == pid).Select(t => (BackgroundTaskStatus?)t.Status)
            .FirstOrDefaultAsync(ct);
        if (status is null) return (ChangeOutcome.NotFound, null);
        if (status.Value.IsTerminal()) return (ChangeOutcome.Conflict, null);

        var row = new TaskSignal { Pid = pid, Signal = signal, CreatedAt = now };
        db.Signals.Add(row);
        await db.SaveChangesAsync(ct);
        db.Entry(row).State = EntityState.Detached;
        return (ChangeOutcome.Changed, row);
    }

    public static Task<List<TaskSignal>> PeekSignalsAsync(this BgtaskDbContext db, long pid, CancellationToken ct) =>
        db.Signals.AsNoTracking()
            .Where(s => s.Pid == pid && s.ClaimedBy == null)
            .OrderBy(s => s.Id)
            .ToListAsync(ct);

    /// <summary>
    /// Claims and deletes the task's pending signals. When a plain read finds no signal row of the task, it
    /// returns at once with no write. That read is as good a moment as the claim's UPDATE would be: both see
    /// every signal committed before them, and a signal committed after either is the caller's to catch (the
    /// held read takes its wake-up before reading). The read counts claimed rows too (visible on MEMORY, which
    /// has no transactions), so it never skips a signal the claim could take; it only leaves out the write when
    /// the claim could not take anything.
    /// </summary>
    public static async Task<List<TaskSignal>> ConsumeSignalsAsync(this BgtaskDbContext db, long pid, CancellationToken ct)
    {
        if (!await db.Signals.AnyAsync(s => s.Pid == pid, ct)) return [];
        List<TaskSignal> taken = [];
        var signals = await db.InTransactionAsync(async ct =>
        {
            // A new claim each try: a failed try's claim was rolled back with it.
            var claim = Random.Shared.NextInt64(1, long.MaxValue);
            taken = [];
            var claimed = await db.Signals
                .Where(s => s.Pid == pid && s.ClaimedBy == null)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ClaimedBy, claim), ct);
            if (claimed == 0) return taken;

            taken = await db.Signals.AsNoTracking()
                .Where(s => s.Pid == pid && s.ClaimedBy == claim)
                .OrderBy(s => s.Id)
                .ToListAsync(ct);
            await db.Signals.Where(s => s.Pid == pid && s.ClaimedBy == claim).ExecuteDeleteAsync(ct);
            return taken;
        }, ct => DeletedAsync(db, taken, ct), ct);
        foreach (var s in signals) s.ClaimedBy = null;
        return signals;
    }

    /// <summary>
    /// Whether a consume whose COMMIT lost its connection was stored: its signals are gone. Only another reader
    /// could also have removed them, had this one's transaction rolled back and that reader taken them in the moment
    /// before this check: then both would deliver them. Taken as stored all the same, since the other answer (run
    /// again, find nothing) would lose every signal of a commit that did go through, the likelier case.
    /// </summary>
    private static async Task<bool> DeletedAsync(BgtaskDbContext db, List<TaskSignal> signals, CancellationToken ct)
    {
        var ids = signals.Select(s => s.Id).ToList();
        return !await db.Signals.AnyAsync(s => ids.Contains(s.Id), ct);
    }

    /// <summary>
    /// A worker channel's claim (a negative number; a consuming read's claims are positive and never outlive its
    /// transaction): one committed UPDATE stamps the task's pending signals, which stay in the table, invisible to
    /// every reader, until the worker has them (<see cref="DeleteClaimedSignalsAsync"/>) or the channel closes first
    /// (<see cref="ReleaseClaimedSignalsAsync"/>). Like <see cref="ConsumeSignalsAsync"/>, a plain read first, so an
    /// empty queue costs no write; the claim UPDATE is atomic on every storage, so two readers never share a signal.
    /// </summary>
    public static async Task<List<TaskSignal>> ClaimSignalsAsync(this BgtaskDbContext db, long pid, long claim,
        CancellationToken ct)
    {
        if (!await db.Signals.AnyAsync(s => s.Pid == pid && s.ClaimedBy == null, ct)) return [];
        var claimed = await db.Signals
            .Where(s => s.Pid == pid && s.ClaimedBy == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ClaimedBy, claim), ct);
        if (claimed == 0) return [];
        var signals = await db.Signals.AsNoTracking()
            .Where(s => s.Pid == pid && s.ClaimedBy == claim)
            .OrderBy(s => s.Id)
            .ToListAsync(ct);
        foreach (var s in signals) s.ClaimedBy = null;
        return signals;
    }

    /// <summary>The claimed signals reached the task: they are gone.</summary>
    public static Task<int> DeleteClaimedSignalsAsync(this BgtaskDbContext db, long pid, long claim, CancellationToken ct) =>
        db.Signals.Where(s => s.Pid == pid && s.ClaimedBy == claim).ExecuteDeleteAsync(ct);

    /// <summary>
    /// Back to the queue, in their order (ids keep it): the claim's signals, or with no claim every channel's claim
    /// of the task (a new channel opens only when the old one is gone, perhaps with the node that held it).
    /// </summary>
    public static Task<int> ReleaseClaimedSignalsAsync(this BgtaskDbContext db, long pid, long? claim, CancellationToken ct) =>
        (claim is { } c
            ? db.Signals.Where(s => s.Pid == pid && s.ClaimedBy == c)
            : db.Signals.Where(s => s.Pid == pid && s.ClaimedBy < 0))
        .ExecuteUpdateAsync(s => s.SetProperty(x => x.ClaimedBy, (long?)null), ct);

    /// <summary>Removes the given pending signals of a task, or all of them when <paramref name="ids"/> is empty.</summary>
    public static Task<int> ClearSignalsAsync(this BgtaskDbContext db, long pid, IReadOnlyCollection<long> ids,
        CancellationToken ct)
    {
        var query = db.Signals.Where(s => s.Pid == pid && s.ClaimedBy == null);
        if (ids.Count > 0) query = query.Where(s => ids.Contains(s.Id));
        return query.ExecuteDeleteAsync(ct);
    }
}
