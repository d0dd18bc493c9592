using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Tests.Client;
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
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"bgtask-gate-{Guid.NewGuid():N}.db");
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _services = new ServiceCollection().AddBgtaskDbContext(new StorageOptions(), $"Data Source={_file}").BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BgtaskDbContext>().Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(_file + suffix); } catch (IOException) { }
    }

    private async Task<long> CreateAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var task = await db.CreateTaskAsync(new BackgroundTask
        {
            Task = "gate", Launcher = LauncherKind.External, Status = BackgroundTaskStatus.Pending, CreatedAt = DateTime.UtcNow,
        }, "{}", clearLeftovers: false, CancellationToken.None);
        return task.Tasks[0].Id;
    }

    /// <summary>
    /// A write on another connection than the last writer's: the pool hands the last writer's context out first,
    /// so that one is held (idle) meanwhile.
    /// </summary>
    private async Task<long> NextWriteAsync()
    {
        await using var previous = _services.CreateAsyncScope();
        _ = previous.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        return await Eventually.WithinAsync(CreateAsync(), "the next write", Prompt);
    }

    [Fact]
    public async Task AfterATransactionDisposedWithoutCommitOrRollback_TheNextWriterGoes()
    {
        await using (var scope = _services.CreateAsyncScope())
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
        await using (var scope = _services.CreateAsyncScope())
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
        await using (var scope = _services.CreateAsyncScope())
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
