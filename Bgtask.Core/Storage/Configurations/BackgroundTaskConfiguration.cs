using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bgtask.Core.Storage.Configurations;

public sealed class BackgroundTaskConfiguration : IEntityTypeConfiguration<BackgroundTask>
{
    public void Configure(EntityTypeBuilder<BackgroundTask> builder)
    {
        builder.ToTable("bgtask_tasks");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).ValueGeneratedOnAdd();
        // Every string has a length: MySQL's MEMORY engine (an option for this table) rejects TEXT.
        builder.Property(t => t.Task).HasMaxLength(StorageLimits.TaskName).IsRequired();
        builder.Property(t => t.Description).HasMaxLength(StorageLimits.Description);
        builder.Property(t => t.Message).HasMaxLength(StorageLimits.Message);
        builder.Property(t => t.RunnerHost).HasMaxLength(255);
        builder.Property(t => t.RunnerNode).HasMaxLength(StorageLimits.NodeName);
        builder.Property(t => t.TokenHash).HasMaxLength(64).IsUnicode(false);
        builder.Property(t => t.StopReason).HasMaxLength(200);
        builder.Property(t => t.Exclusive).HasMaxLength(StorageLimits.ExclusiveKey);
        builder.Property(t => t.ExclusiveHeld).HasMaxLength(StorageLimits.ExclusiveKey);
        builder.Property(t => t.Status).HasConversion<int>();
        builder.Property(t => t.FrozenFrom).HasConversion<int?>();
        builder.Property(t => t.Launcher).HasConversion<int>();
        builder.HasIndex(t => t.Status);
        builder.HasIndex(t => t.Task);
        builder.HasIndex(t => t.ParentId);
        builder.HasIndex(t => t.TokenHash);
        // The arbiter of concurrent exclusive launches (NULLs, the tasks without a key or ended, never collide).
        builder.HasIndex(t => t.ExclusiveHeld).IsUnique();
    }
}
