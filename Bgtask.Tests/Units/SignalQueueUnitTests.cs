using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Tests.Units;

/// <summary>A task's signals on the database: consumed oldest first by claim-then-delete, never twice, never lost.</summary>
public sealed class SignalQueueUnitTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly SqliteUnitDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    private async Task<long> RunningTaskAsync() => (await _database.CreateTaskAsync(BackgroundTaskStatus.Running, Now)).Id;

    private Task SendAsync(long pid, string signal) =>
        _database.WithAsync(db => db.SendSignalAsync(pid, signal, Now, CancellationToken.None));

    private Task<List<string>> ConsumeAsync(long pid) =>
        _database.WithAsync(async db => (await db.ConsumeSignalsAsync(pid, CancellationToken.None)).Select(s => s.Signal).ToList());

    private Task<List<string>> PeekAsync(long pid) =>
        _database.WithAsync(async db => (await db.PeekSignalsAsync(pid, CancellationToken.None)).Select(s => s.Signal).ToList());

    [Fact]
    public async Task Consume_ReturnsThePendingSignalsOldestFirst_AndRemovesThem()
    {
        var pid = await RunningTaskAsync();
        foreach (var signal in new[] { "custom.a", "sleep", "custom.b" }) await SendAsync(pid, signal);

        Assert.Equal(["custom.a", "sleep", "custom.b"], await ConsumeAsync(pid));
        Assert.Empty(await ConsumeAsync(pid));
        Assert.Empty(await PeekAsync(pid));
    }

    [Fact]
    public async Task Consume_TakesOnlyThatTasksSignals()
    {
        var (mine, other) = (await RunningTaskAsync(), await RunningTaskAsync());
        await SendAsync(mine, "custom.mine");
        await SendAsync(other, "custom.other");

        Assert.Equal(["custom.mine"], await ConsumeAsync(mine));
        Assert.Equal(["custom.other"], await PeekAsync(other));
    }

    [Fact]
    public async Task ConcurrentConsumers_WhileSignalsArrive_GetEverySignalExactlyOnce()
    {
        var pid = await RunningTaskAsync();
        var sent = Enumerable.Range(0, 60).Select(i => $"custom.s{i}").ToList();
        using var sending = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            foreach (var signal in sent) await SendAsync(pid, signal);
            await sending.CancelAsync();
        });
        var consumers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var got = new List<string>();
            while (!sending.IsCancellationRequested) got.AddRange(await ConsumeAsync(pid));
            return got;
        })).ToList();
        await producer;
        var received = (await Task.WhenAll(consumers)).SelectMany(g => g).Concat(await ConsumeAsync(pid)).ToList();

        Assert.Equal(sent.Order(), received.Order());
    }

    [Fact]
    public async Task AClaimedSignal_IsNeitherPeekedNorCleared_NorClaimedAgain()
    {
        var pid = await RunningTaskAsync();
        await SendAsync(pid, "custom.pending");
        // A reader's claim in flight (its transaction not yet committed, or MEMORY tables, which have none).
        await _database.WithAsync(async db =>
        {
            db.Signals.Add(new TaskSignal { Pid = pid, Signal = "custom.claimed", CreatedAt = Now, ClaimedBy = 42 });
            return await db.SaveChangesAsync();
        });

        Assert.Equal(["custom.pending"], await PeekAsync(pid));
        Assert.Equal(1, await _database.WithAsync(db => db.ClearSignalsAsync(pid, [], CancellationToken.None)));
        await SendAsync(pid, "custom.later");
        Assert.Equal(["custom.later"], await ConsumeAsync(pid));
        Assert.Equal(1, await _database.WithAsync(db => db.Signals.CountAsync(s => s.Pid == pid && s.ClaimedBy == 42)));
    }

    [Fact]
    public async Task Clear_WithIds_RemovesOnlyThose()
    {
        var pid = await RunningTaskAsync();
        foreach (var signal in new[] { "custom.a", "custom.b", "custom.c" }) await SendAsync(pid, signal);
        var b = await _database.WithAsync(db => db.Signals.Where(s => s.Signal == "custom.b").Select(s => s.Id).SingleAsync());

        Assert.Equal(1, await _database.WithAsync(db => db.ClearSignalsAsync(pid, [b], CancellationToken.None)));
        Assert.Equal(["custom.a", "custom.c"], await PeekAsync(pid));
    }

    [Fact]
    public async Task Send_ToAnEndedTask_IsAConflict_AndToNoTask_NotFound()
    {
        var ended = (await _database.CreateTaskAsync(BackgroundTaskStatus.Finished, Now)).Id;

        var (toEnded, _) = await _database.WithAsync(db => db.SendSignalAsync(ended, "custom.x", Now, CancellationToken.None));
        var (toNone, _) = await _database.WithAsync(db => db.SendSignalAsync(ended + 1000, "custom.x", Now, CancellationToken.None));

        Assert.Equal((ChangeOutcome.Conflict, ChangeOutcome.NotFound), (toEnded, toNone));
        Assert.Empty(await PeekAsync(ended));
    }
}
