using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.Storage;

/// <summary>
/// The in-memory queue of SQLite writers lets the next writer go however the one before it ended: committed,
/// rolled back, abandoned, or failed. A writer left holding it would stall every write for its 30 s fallback.
/// </summary>
public sealed class SqliteWriteGateTests : IAsyncLifetime
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10); // far below the gate's 30 s fallback
    private readonly SqliteUnitDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    private async Task<long> CreateAsync() => (await _database.CreateTaskAsync(BackgroundTaskStatus.Pending, DateTime.UtcNow)).Id;

    /// <summary>
    /// A write on another connection than the last writer's: the pool hands the last writer's context out first,
    /// so that one is held (idle) meanwhile.
    /// </summary>
    private async Task<long> NextWriteAsync()
    {
        await using var previous = _database.Services.CreateAsyncScope();
        _ = previous.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        return await Eventually.WithinAsync(CreateAsync(), "the next write", Prompt);
    }

    [Fact]
    public async Task AfterATransactionDisposedWithoutCommitOrRollback_TheNextWriterGoes()
    {
        await using (var scope = _database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await db.Signals.Where(s => s.Pid == 0).ExecuteDeleteAsync();
        }
        Assert.True(await NextWriteAsync() > 0);
    }

    [Fact]
    public async Task AfterARolledBackTransaction_TheNextWriterGoes()
    {
        await using (var scope = _database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            await using var tx = await db.Database.BeginTransactionAsync();
            await tx.RollbackAsync();
        }
        Assert.True(await NextWriteAsync() > 0);
    }

    [Fact]
    public async Task AfterAFailedLoneWrite_TheNextWriterGoes()
    {
        var pid = await CreateAsync();
        await using (var scope = _database.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            db.Configs.Add(new TaskConfig { Pid = pid, Version = 1, Json = "{}", CreatedAt = DateTime.UtcNow }); // taken: version 1 exists
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
        }
        Assert.True(await NextWriteAsync() > pid);
    }

    [Fact]
    public async Task ManyWritersAtOnce_AllGetThrough()
    {
        var writes = Enumerable.Range(0, 50).Select(_ => Task.Run(CreateAsync)).ToList();
        var pids = await Eventually.WithinAsync(Task.WhenAll(writes), "50 concurrent writes", TimeSpan.FromSeconds(60));
        Assert.Equal(50, pids.Distinct().Count());
    }
}
