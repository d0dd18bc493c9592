using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Core.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the provider's DbContext (pooled) and exposes it as <see cref="BgtaskDbContext"/>.</summary>
    /// <param name="mySqlInterceptors">Added to the MySQL context (the service's causal reads in cluster mode).</param>
    public static IServiceCollection AddBgtaskDbContext(
        this IServiceCollection services, StorageOptions options, string? connectionString,
        IReadOnlyList<IInterceptor>? mySqlInterceptors = null)
    {
        if (options.Provider == StorageProvider.MySql)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new InvalidOperationException(
                    "Storage:Provider is MySql but ConnectionStrings:Bgtask is empty.");
            var version = string.IsNullOrWhiteSpace(options.MySql.ServerVersion)
                ? ServerVersion.AutoDetect(connectionString)
                : ServerVersion.Parse(options.MySql.ServerVersion);
            services.AddDbContextPool<MySqlBgtaskDbContext>(o => o.UseMySql(connectionString, version,
                my => my.CommandTimeout(30)).AddInterceptors(mySqlInterceptors ?? []));
            services.AddScoped<BgtaskDbContext>(sp => sp.GetRequiredService<MySqlBgtaskDbContext>());
        }
        else
        {
            var sqlite = PrepareSqlite(connectionString ?? StorageOptions.DefaultSqliteConnection);
            var writers = new SqliteWriteGate(); // one per service: every context of it writes to the same file
            services.AddDbContextPool<SqliteBgtaskDbContext>(o => o.UseSqlite(sqlite)
                .AddInterceptors(new SqlitePragmaInterceptor(), writers));
            services.AddScoped<BgtaskDbContext>(sp => sp.GetRequiredService<SqliteBgtaskDbContext>());
        }
        return services;
    }

    /// <summary>Creates the data folder of a file database, so the service works with no settings at all.</summary>
    private static string PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } file && file != ":memory:" && builder.Mode != SqliteOpenMode.Memory)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        }
        builder.DefaultTimeout = builder.DefaultTimeout < 30 ? 30 : builder.DefaultTimeout;
        return builder.ToString();
    }
}
