using Bgtask.Core.Nodes;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Storage;

/// <summary>
/// The one DbContext. Each provider has a subclass of its own (<see cref="SqliteBgtaskDbContext"/>,
/// <see cref="MySqlBgtaskDbContext"/>) so that each keeps its own set of migrations.
/// </summary>
public abstract class BgtaskDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<BackgroundTask> Tasks => Set<BackgroundTask>();
    public DbSet<TaskSignal> Signals => Set<TaskSignal>();
    public DbSet<TaskConfig> Configs => Set<TaskConfig>();
    public DbSet<TaskLogLine> LogLines => Set<TaskLogLine>();
    public DbSet<TaskHistoryPoint> HistoryPoints => Set<TaskHistoryPoint>();
    public DbSet<ServiceNode> Nodes => Set<ServiceNode>();

    /// <summary>Set while a transaction that can check its own COMMIT runs (<see cref="RetriableTransactions"/>).</summary>
    internal bool VerifiesCommit { get; set; }

    /// <summary>Why the last COMMIT failed, if it did: only a lost connection leaves its outcome unknown.</summary>
    internal Exception? CommitFailure { get; set; }

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BgtaskDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
}
