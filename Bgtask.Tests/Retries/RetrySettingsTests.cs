using Bgtask.Core.Storage;
using Bgtask.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.Retries;

/// <summary>Which storage retries (MySQL InnoDB only), and retry settings that cannot work failing at start.</summary>
public abstract class RetryStrategyTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    [Fact]
    public void Strategy_RetriesOnInnoDbOnly()
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        // SQLite keeps its write gate; MEMORY tables keep what a failed transaction wrote, so a re-run could store it twice.
        Assert.Equal(Factory.Target == StorageTarget.MariaDb, db.Database.CreateExecutionStrategy().RetriesOnFailure);
    }
}

public sealed class RetryStrategyTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : RetryStrategyTests<SqliteTarget>(api);

public sealed class RetryStrategyTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : RetryStrategyTests<MariaDbTarget>(api);

public sealed class RetryStrategyTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : RetryStrategyTests<MariaDbMemoryTarget>(api);

public sealed class RetrySettingsTests
{
    [Theory]
    [InlineData("Storage:MySql:RetryCount", "-1")]
    [InlineData("Storage:MySql:RetryCount", "21")]
    [InlineData("Storage:MySql:RetryMaxDelay", "00:00:00")]
    [InlineData("Storage:MySql:RetryMaxDelay", "00:05:00")]
    public void Start_WithARetrySettingOutOfRange_FailsNamingIt(string key, string value)
    {
        using var factory = BgtaskApiFactory<SqliteTarget>.With(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(key.Split(':')[^1], failure.ToString());
    }
}
