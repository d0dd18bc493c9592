using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Storage;

/// <summary>MySQL 8 and MariaDB. Its migrations live in Migrations/MySql.</summary>
public sealed class MySqlBgtaskDbContext(DbContextOptions<MySqlBgtaskDbContext> options) : BgtaskDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // MariaDB's default character set is still latin1 on many installs.
        modelBuilder.HasCharSet("utf8mb4");
        base.OnModelCreating(modelBuilder);
        // The default collation ignores case: a filter on the name must match it exactly, as on SQLite.
        modelBuilder.Entity<BackgroundTask>().Property(t => t.Task).UseCollation(BinaryCollation);
    }

    /// <summary>Compares bytes (but, like every MySQL PAD SPACE collation, ignores trailing spaces).</summary>
    public const string BinaryCollation = "utf8mb4_bin";
}
