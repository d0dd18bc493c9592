using Bgtask.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Api.Storage;

/// <summary>
/// Puts the tasks and signals tables on the configured engine (the original kept them in MEMORY tables:
/// fast, and emptied when MySQL restarts). Configs, log lines and history points always stay on InnoDB.
/// </summary>
public static class MySqlEngines
{
    private static readonly string[] Tables = ["bgtask_tasks", "bgtask_signals"];

    public static async Task ApplyAsync(BgtaskDbContext db, MySqlEngine engine, ILogger logger)
    {
        var wanted = engine.ToString();
        foreach (var table in Tables)
        {
            var current = await db.Database.SqlQuery<string>(
                    $"SELECT ENGINE AS Value FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {table}")
                .SingleAsync();
            if (string.Equals(current, wanted, StringComparison.OrdinalIgnoreCase)) continue;
            logger.LogWarning("Moving table {Table} from {From} to {To}", table, current, wanted);
#pragma warning disable EF1002 // the table and engine names come from the constants above, not from input
            await db.Database.ExecuteSqlRawAsync($"ALTER TABLE `{table}` ENGINE={wanted}");
#pragma warning restore EF1002
        }

        if (engine == MySqlEngine.MEMORY)
        {
            // After a MySQL restart the MEMORY tasks table starts counting pids again; never hand out one
            // that the InnoDB tables still remember.
            var highest = await db.Database.SqlQuery<long>(
                $"SELECT COALESCE(GREATEST((SELECT COALESCE(MAX(Pid), 0) FROM bgtask_configs), (SELECT COALESCE(MAX(Pid), 0) FROM bgtask_log), (SELECT COALESCE(MAX(Pid), 0) FROM bgtask_history), (SELECT COALESCE(MAX(Id), 0) FROM bgtask_tasks)), 0) AS Value").SingleAsync();
#pragma warning disable EF1002 // a number read just above
            await db.Database.ExecuteSqlRawAsync($"ALTER TABLE `bgtask_tasks` AUTO_INCREMENT = {highest + 1}");
#pragma warning restore EF1002
        }
    }
}
