using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.Infrastructure;

/// <summary>
/// A migrated SQLite file of one test (class), behind the service's own storage registration (pooled contexts, the
/// write gate), for the units that take a <see cref="BgtaskDbContext"/> or a scope factory. No HTTP, no host.
/// </summary>
public sealed class SqliteUnitDatabase : IAsyncLifetime
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"bgtask-unit-{Guid.NewGuid():N}.db");

    public ServiceProvider Services { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Services = new ServiceCollection().AddBgtaskDbContext(new StorageOptions(), $"Data Source={_file}").BuildServiceProvider();
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BgtaskDbContext>().Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(_file + suffix); } catch (IOException) { }
    }

    /// <summary>Runs <paramref name="work"/> with a context of its own scope, as one request would.</summary>
    public async Task<T> WithAsync<T>(Func<BgtaskDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<BgtaskDbContext>());
    }

    public Task<BackgroundTask> CreateTaskAsync(BackgroundTaskStatus status, DateTime now) =>
        WithAsync(async db => (await db.CreateTaskAsync(new BackgroundTask
        {
            Task = "unit", Launcher = LauncherKind.External, Status = status, CreatedAt = now,
            StartedAt = status == BackgroundTaskStatus.Pending ? null : now,
        }, "{}", clearLeftovers: false, CancellationToken.None)).Tasks[0]);

    public Task<BackgroundTask> StoredAsync(long pid) =>
        WithAsync(async db => (await db.FindTaskAsync(pid, CancellationToken.None))!);
}
