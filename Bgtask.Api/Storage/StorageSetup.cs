using Bgtask.Api.Cluster;
using Bgtask.Core.Storage;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Api.Storage;

public static class StorageSetup
{
    public static IHostApplicationBuilder AddBgtaskStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        var cluster = builder.Configuration.GetSection(ClusterOptions.SectionName).Get<ClusterOptions>() ?? new();
        IInterceptor[] interceptors = cluster.Enabled ? [new CausalReadInterceptor(cluster.CausalReads)] : [];
        builder.Services.AddBgtaskDbContext(options,
            builder.Configuration.GetConnectionString(StorageOptions.ConnectionStringName), interceptors);
        return builder;
    }

    /// <summary>Applies the provider's migrations (unless turned off), then the MySQL engine setting.</summary>
    public static async Task PrepareBgtaskDatabaseAsync(this WebApplication app)
    {
        // Cluster mode on storage that cannot hold a cluster is refused before anything touches that storage.
        _ = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ClusterOptions>>().Value;
        var options = app.Configuration.GetSection(StorageOptions.SectionName).Get<StorageOptions>() ?? new();
        if (!options.MigrateOnStart) return;

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Bgtask.Storage");
        await db.Database.MigrateAsync();
        if (options.Provider == StorageProvider.MySql)
            await MySqlEngines.ApplyAsync(db, options.MySql.Engine, logger);
        logger.LogInformation("Database ready ({Provider})", options.Provider);
    }
}
