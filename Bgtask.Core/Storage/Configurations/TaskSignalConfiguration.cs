using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bgtask.Core.Storage.Configurations;

public sealed class TaskSignalConfiguration : IEntityTypeConfiguration<TaskSignal>
{
    public void Configure(EntityTypeBuilder<TaskSignal> builder)
    {
        // No foreign keys anywhere: MEMORY tables have none, and deletes are explicit.
        builder.ToTable("bgtask_signals");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedOnAdd();
        builder.Property(s => s.Signal).HasMaxLength(64).IsUnicode(false).IsRequired();
        builder.HasIndex(s => new { s.Pid, s.Id });
    }
}
