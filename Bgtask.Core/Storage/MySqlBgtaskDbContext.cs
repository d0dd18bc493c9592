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
        // The default collation ignores case: names and exclusive keys must match exactly, as on SQLite.
        var tasks = modelBuilder.Entity<BackgroundTask>();
        tasks.Property(t => t.Task).UseCollation(BinaryCollation);
        tasks.Property(t => t.Exclusive).UseCollation(BinaryCollation);
        tasks.Property(t => t.ExclusiveHeld).UseCollation(BinaryCollation);
    }

    /// <summary>Compares bytes (but, like every MySQL PAD SPACE collation, ignores trailing spaces).</summary>
    public const string BinaryCollation = "utf8mb4_bin";
}
