using Bgtask.Tests.Infrastructure;
using MySqlConnector;

namespace Bgtask.Tests.Http;

/// <summary>Each MariaDB target is what it claims: the tasks and signals tables on its engine, the rest on InnoDB.</summary>
public abstract class StorageEngineTests<TTarget>(BgtaskApiFactory<TTarget> api, string engine) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    [Fact]
    public async Task Tables_UseTheConfiguredEngine()
    {
        await Client.GetAsync("/health/ready"); // starts the API, which migrates and sets the engine
        await using var connection = new MySqlConnection(Factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(
            "SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'bgtask%'",
            connection);
        var engines = new Dictionary<string, string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) engines[reader.GetString(0)] = reader.GetString(1);

        Assert.Equal(engine, engines["bgtask_tasks"], ignoreCase: true);
        Assert.Equal(engine, engines["bgtask_signals"], ignoreCase: true);
        Assert.Equal("InnoDB", engines["bgtask_configs"], ignoreCase: true);
        Assert.Equal("InnoDB", engines["bgtask_log"], ignoreCase: true);
    }
}

public sealed class StorageEngineTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api)
    : StorageEngineTests<MariaDbTarget>(api, "InnoDB");

public sealed class StorageEngineTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : StorageEngineTests<MariaDbMemoryTarget>(api, "MEMORY");
