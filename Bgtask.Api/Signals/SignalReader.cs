using Bgtask.Api.Cluster;
using Bgtask.Api.Notifications;
using Bgtask.Api.Telemetry;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Signals;

/// <summary>What a signals read found: the signals, and the task's status and config version at that moment.</summary>
public sealed record SignalRead(List<TaskSignal> Signals, BackgroundTaskStatus Status, int ConfigVersion);

/// <summary>
/// Reads (or consumes) a task's signals, holding the call while there are none until a signal arrives, the
/// config version changes, the task ends, or the wait is over. This process's own writes wake it at once;
/// it re-reads the database at least every <see cref="SignalOptions.RecheckInterval"/> (spread at random over
/// the second half of it; in cluster mode at most <see cref="ClusterOptions.HeldReadRecheck"/>, since another
/// node's note of a change can be lost) for other replicas' writes.
/// A waiter whose signal another reader took just keeps waiting.
/// </summary>
public sealed class SignalReader(TaskWakeups wakeups, IServiceScopeFactory scopes, TimeProvider time,
    IOptions<SignalOptions> options, IOptions<ClusterOptions> cluster, BgtaskMetrics metrics)
{
    private readonly TimeSpan _recheck = cluster.Value.Enabled && options.Value.RecheckInterval > ClusterOptions.HeldReadRecheck
        ? ClusterOptions.HeldReadRecheck
        : options.Value.RecheckInterval;

    /// <param name="knownVersion">
    /// The config version the reader holds: any other version answers at once. Without it the read counts from its
    /// own first look, and a change that landed just before that look would wait out the whole wait.
    /// </param>
    /// <returns>Null when the task does not exist.</returns>
    /// <remarks>
    /// Each look at the database takes a context of its own and gives it back before waiting: a thousand held
    /// reads hold no database context (nor its memory) while they wait.
    /// </remarks>
    public Task<SignalRead?> ReadAsync(long pid, bool consume, TimeSpan wait, int? knownVersion, CancellationToken ct) =>
        consume
            ? HoldAsync(pid, static (db, pid, ct) => db.ConsumeSignalsAsync(pid, ct), wait, knownVersion, ct)
            : HoldAsync(pid, static (db, pid, ct) => db.PeekSignalsAsync(pid, ct), wait, knownVersion, ct, taking: false);

    /// <summary>
    /// The same held read for a worker channel: the signals found are claimed with <paramref name="claim"/>
    /// (<see cref="SignalQueue.ClaimSignalsAsync"/>) rather than deleted, until the worker has them.
    /// </summary>
    public Task<SignalRead?> ClaimAsync(long pid, long claim, TimeSpan wait, int? knownVersion, CancellationToken ct) =>
        HoldAsync(pid, (db, pid, ct) => db.ClaimSignalsAsync(pid, claim, ct), wait, knownVersion, ct);

    private async Task<SignalRead?> HoldAsync(long pid, Func<BgtaskDbContext, long, CancellationToken, Task<List<TaskSignal>>> take,
        TimeSpan wait, int? knownVersion, CancellationToken ct, bool taking = true)
    {
        var deadline = time.GetUtcNow() + wait;
        var versionAtStart = knownVersion;
        while (true)
        {
            var woken = wakeups.WhenWoken(pid);
            var (task, signals) = await LookAsync(pid, take, ct);
            if (task is null) return null;
            versionAtStart ??= task.ConfigVersion;

            if (taking)
                foreach (var s in signals) metrics.SignalDelivered(time.GetUtcNow().UtcDateTime - s.CreatedAt);
            var left = deadline - time.GetUtcNow();
            if (signals.Count > 0 || task.Status.IsTerminal() || task.ConfigVersion != versionAtStart || left <= TimeSpan.Zero)
                return new SignalRead(signals, task.Status, task.ConfigVersion);

            var recheck = Jittered(_recheck);
            await WaitAsync(woken, left < recheck ? left : recheck, ct);
        }
    }

    private async Task<(TaskState? Task, List<TaskSignal> Signals)> LookAsync(long pid,
        Func<BgtaskDbContext, long, CancellationToken, Task<List<TaskSignal>>> take, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        if (await db.FindSignalStateAsync(pid, ct) is not var (status, version)) return (null, []);
        return (new TaskState(status, version), await take(db, pid, ct));
    }

    private sealed record TaskState(BackgroundTaskStatus Status, int ConfigVersion);

    /// <summary>
    /// Somewhere from half the interval to all of it: waiters started together (a batch launch) would
    /// otherwise re-check in lock-step, all at once; none waits longer than the interval.
    /// </summary>
    private static TimeSpan Jittered(TimeSpan interval) => interval * (0.5 + 0.5 * Random.Shared.NextDouble());

    private async Task WaitAsync(Task woken, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await Task.WhenAny(woken, Task.Delay(timeout, time, cts.Token));
        await cts.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }
}
