using Bgtask.Api.Reports;
using Bgtask.Api.Runners;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Notifications;

/// <summary>
/// What a task's runner does to it (start, report, write its log, end) and what the service does when a runner is
/// gone, each as one sequence: the guarded statement (a report through the report buffer; an ending with the
/// buffered report), then the announcement. The worker's HTTP routes, the in-process channel, kill and the
/// supervisor all call these, so none of them has a step to remember.
/// </summary>
public sealed class RunnerCalls(StateReportBuffer reports, TaskNotifier notifier, IServiceScopeFactory scopes,
    RunnerRegistry runners, TimeProvider time)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary><c>started</c>: pending → running.</summary>
    public async Task<Change> StartAsync(BgtaskDbContext db, long pid, CancellationToken ct)
    {
        var change = await db.StartAsync(pid, Now, ct);
        notifier.Applied(change);
        return change;
    }

    /// <summary>A progress report, coalesced by the report buffer unless it changes the status.</summary>
    public async Task<Change> ReportAsync(BgtaskDbContext db, long pid, StateReport report, CancellationToken ct)
    {
        var change = await reports.ReportAsync(db, pid, WithTreeMemory(pid, report), Now, ct);
        notifier.Reported(change);
        return change;
    }

    /// <summary>A terminal transition, synchronous and durable: the task's buffered report is stored with it.</summary>
    public async Task<Change> EndAsync(BgtaskDbContext db, long pid, BackgroundTaskStatus status, string? message,
        CancellationToken ct)
    {
        var change = await db.EndAsync(pid, status, message, Now, ct, reports.Pending(pid));
        notifier.Applied(change);
        return change;
    }

    /// <summary>Appends to a task's log; false when the task does not exist.</summary>
    public async Task<bool> AppendLogAsync(BgtaskDbContext db, long pid, IReadOnlyList<string> lines, CancellationToken ct)
    {
        var stored = await db.AppendLogLinesAsync(pid, lines, Now, ct);
        if (stored is { Count: > 0 }) notifier.LogAppended(pid, stored);
        return stored is not null;
    }

    /// <summary>Records where the task's runner lives (host, OS pid, start time), so any replica can judge and end it.</summary>
    public async Task RecordRunnerAsync(long pid, int osPid, DateTime? startedAt, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await Db(scope).RecordRunnerAsync(pid, OsProcesses.Host, osPid, startedAt, ct);
    }

    /// <summary>Ends a task whose runner is gone with <paramref name="message"/>, unless it already ended.</summary>
    public async Task<bool> LostAsync(long pid, string message)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await LostAsync(Db(scope), pid, message);
    }

    /// <inheritdoc cref="LostAsync(long, string)"/>
    public async Task<bool> LostAsync(BgtaskDbContext db, long pid, string message)
    {
        var change = await db.EndAsync(pid, BackgroundTaskStatus.Error, message, Now, CancellationToken.None,
            reports.Pending(pid));
        notifier.Lost(change);
        if (change.Outcome != ChangeOutcome.Changed) return false;
        await AppendLogAsync(db, pid, [$"error {message}"], CancellationToken.None);
        return true;
    }

    /// <summary>
    /// A worker process of ours reports its own memory; the task's is its whole tree's (a child it started must not
    /// hide), read here from /proc (at most once a second per worker). The peak is the highest of the worker's own and the tree's samples.
    /// </summary>
    private StateReport WithTreeMemory(long pid, StateReport report)
    {
        if (runners.HeldTreeMemory(pid) is not { } tree) return report;
        return report with { Memory = tree, MemoryPeak = Math.Max(report.MemoryPeak ?? 0, tree) };
    }

    private static BgtaskDbContext Db(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
}
