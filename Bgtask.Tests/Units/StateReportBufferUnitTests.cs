using Bgtask.Api.Reports;
using Bgtask.Api.Runners;
using Bgtask.Api.Supervision;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Eventually = Bgtask.Tests.Client.Eventually;

namespace Bgtask.Tests.Units;

/// <summary>
/// Write-behind of progress reports: same-status reports coalesce in memory and the newest is stored at the flush;
/// a status change is stored at once; a task ended elsewhere is dropped; an idle task leaves memory after a minute.
/// </summary>
public sealed class StateReportBufferUnitTests : IAsyncLifetime
{
    private readonly SqliteUnitDatabase _database = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private StateReportBuffer _buffer = null!;

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _buffer = new StateReportBuffer(_database.Services.GetRequiredService<IServiceScopeFactory>(), new SweepSignal(), _time,
            Options.Create(new HistoryOptions()), Options.Create(new Bgtask.Api.Cluster.ClusterOptions()), NullLogger<StateReportBuffer>.Instance);
    }

    public async Task DisposeAsync()
    {
        _buffer.Dispose();
        await _database.DisposeAsync();
    }

    private async Task<long> RunningTaskAsync() => (await _database.CreateTaskAsync(BackgroundTaskStatus.Running, Now)).Id;

    private Task<Change> ReportAsync(long pid, long opFinished, BackgroundTaskStatus? status = null, DateTime? at = null) =>
        _database.WithAsync(db => _buffer.ReportAsync(db, pid, new StateReport(100, opFinished, status, null, null),
            at ?? Now, CancellationToken.None));

    private Task EndElsewhereAsync(long pid) =>
        _database.WithAsync(db => db.Tasks.Where(t => t.Id == pid)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, BackgroundTaskStatus.Finished)));

    [Fact]
    public async Task SameStatusReports_AreAnsweredFromMemory_AndOnlyTheNewestIsStored()
    {
        var pid = await RunningTaskAsync();

        foreach (var ops in new long[] { 1, 2, 3 })
        {
            var change = await ReportAsync(pid, ops);
            Assert.Equal((ChangeOutcome.Unchanged, ops), (change.Outcome, change.Task!.OpFinished));
        }
        var stored = await _database.StoredAsync(pid);
        Assert.Equal(0, stored.OpFinished);
        Assert.Equal(3, _buffer.Merged(stored).OpFinished);
        Assert.Equal(3, _buffer.Pending(pid)!.Value.OpFinished);

        await _buffer.StoreAsync(pid, CancellationToken.None);

        Assert.Equal(3, (await _database.StoredAsync(pid)).OpFinished);
        Assert.Null(_buffer.Pending(pid));
    }

    [Fact]
    public async Task StatusChange_IsStoredAtOnce_AfterThePendingReport()
    {
        var pid = await RunningTaskAsync();
        await ReportAsync(pid, 5);

        var change = await ReportAsync(pid, 6, BackgroundTaskStatus.Sleeping);

        Assert.Equal(ChangeOutcome.Changed, change.Outcome);
        var stored = await _database.StoredAsync(pid);
        Assert.Equal((BackgroundTaskStatus.Sleeping, 6L), (stored.Status, stored.OpFinished));
        Assert.Null(_buffer.Pending(pid));
    }

    [Fact]
    public async Task TaskEndedElsewhere_IsDroppedByTheWriteThatFindsItGone_AndItsNextReportIsAConflict()
    {
        var pid = await RunningTaskAsync();
        await ReportAsync(pid, 1);
        await EndElsewhereAsync(pid);

        await _buffer.StoreAsync(pid, CancellationToken.None);

        Assert.Null(_buffer.Pending(pid));
        Assert.Equal(ChangeOutcome.Conflict, (await ReportAsync(pid, 2)).Outcome);
        Assert.Equal(0, (await _database.StoredAsync(pid)).OpFinished);
    }

    [Fact]
    public async Task Shutdown_StoresEveryTasksLastReport()
    {
        var (first, second) = (await RunningTaskAsync(), await RunningTaskAsync());
        await _buffer.StartAsync(CancellationToken.None);
        // Once a flush has stored something the loop runs (a BackgroundService stopped before its loop began
        // never runs it, final store included).
        await ReportAsync(first, 1);
        await Eventually.TrueAsync(async () => (await _database.StoredAsync(first)).OpFinished == 1, "the flush ran");
        await ReportAsync(first, 10);
        await ReportAsync(second, 20);

        await _buffer.StopAsync(CancellationToken.None);

        Assert.Equal((10L, 20L), ((await _database.StoredAsync(first)).OpFinished, (await _database.StoredAsync(second)).OpFinished));
    }

    [Fact]
    public async Task TheFlush_StoresBufferedReportsByItself()
    {
        var pid = await RunningTaskAsync();
        await _buffer.StartAsync(CancellationToken.None);

        await ReportAsync(pid, 7);

        await Eventually.TrueAsync(async () => (await _database.StoredAsync(pid)).OpFinished == 7, "the flush stored the report");
        await _buffer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Flush_AddsAHistoryPoint_AtMostOncePerSecond()
    {
        var pid = await RunningTaskAsync();
        var points = () => _database.WithAsync(db => db.HistoryPoints.CountAsync(p => p.Pid == pid));
        var before = await points();

        // Default spacing: 1 s for a young task. Each flush writes the newest report; a point only when one is due.
        foreach (var (ops, seconds, expected) in new[] { (1L, 2.0, 1), (2L, 2.5, 1), (3L, 2.9, 1), (4L, 3.5, 2) })
        {
            await ReportAsync(pid, ops, at: Now.AddSeconds(seconds));
            await _buffer.StoreAsync(pid, CancellationToken.None);
            Assert.Equal(before + expected, await points());
        }
        var newest = await _database.WithAsync(db =>
            db.HistoryPoints.Where(p => p.Pid == pid).OrderByDescending(p => p.At).FirstAsync());
        Assert.Equal((4L, false), (newest.OpFinished, newest.StatusChange));
    }

    [Fact]
    public async Task IdleTask_LeavesMemoryAfterAMinute_SoItsNextReportReadsTheDatabase()
    {
        var pid = await RunningTaskAsync();
        var reportedAt = Now;
        await _buffer.StartAsync(CancellationToken.None);
        await ReportAsync(pid, 1, at: reportedAt);
        await Eventually.TrueAsync(async () => (await _database.StoredAsync(pid)).OpFinished == 1, "the flush stored the report");
        // A change that only a read of the database shows: memory still holds config version 1.
        await _database.WithAsync(db => db.Tasks.Where(t => t.Id == pid).ExecuteUpdateAsync(s => s.SetProperty(t => t.ConfigVersion, 2)));
        Assert.Equal(1, (await ReportAsync(pid, 1, at: reportedAt)).Task!.ConfigVersion);

        _time.Advance(TimeSpan.FromMinutes(2));

        // Reports dated as before keep the entry idle; once it is flushed clean, the next flush evicts it.
        await Eventually.TrueAsync(async () => (await ReportAsync(pid, 1, at: reportedAt)).Task!.ConfigVersion == 2,
            "a report answered from the database again");
        await _buffer.StopAsync(CancellationToken.None);
    }
}
