using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Storage;

/// <summary>The embedded default. Its migrations live in Migrations/Sqlite.</summary>
public sealed class SqliteBgtaskDbContext(DbContextOptions<SqliteBgtaskDbContext> options) : BgtaskDbContext(options);
