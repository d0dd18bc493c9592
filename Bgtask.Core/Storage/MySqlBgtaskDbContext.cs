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
    }
}
