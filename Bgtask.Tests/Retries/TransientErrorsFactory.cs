using Bgtask.Core.Storage;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MySqlConnector;

namespace Bgtask.Tests.Retries;

/// <summary>
/// The API on MariaDB InnoDB (on a loopback port, for in-process launches) with <see cref="ServerErrorInjector"/>
/// and a <see cref="StatementHold"/> among its DbContext's interceptors, a few retries and short pauses.
/// </summary>
public sealed class TransientErrorsFactory : WorkerApiFactory<MariaDbTarget>
{
    public const int RetryCount = 3;

    public ServerErrorInjector Injector { get; } = new();

    public StatementHold Hold { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Storage:MySql:RetryCount", RetryCount.ToString()),
        new("Storage:MySql:RetryMaxDelay", "00:00:00.050"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
            services.ConfigureDbContext<MySqlBgtaskDbContext>(o => o.AddInterceptors(Injector, Hold)));
    }

    /// <summary>One number read straight from this factory's database (a count, a version); <c>@value</c> in the SQL is <paramref name="value"/>.</summary>
    public async Task<long> CountAsync(string sql, object value)
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        command.Parameters.AddWithValue("@value", value);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
