using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Bgtask.Core.Storage;

// Used only by `dotnet ef migrations add`: no connection is opened.
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteBgtaskDbContext>
{
    public SqliteBgtaskDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteBgtaskDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class MySqlDesignTimeFactory : IDesignTimeDbContextFactory<MySqlBgtaskDbContext>
{
    public MySqlBgtaskDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MySqlBgtaskDbContext>()
            .UseMySql("Server=localhost;Database=bgtask", new MySqlServerVersion(new Version(8, 0, 36))).Options);
}
