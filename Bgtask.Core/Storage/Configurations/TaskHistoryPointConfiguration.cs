using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bgtask.Core.Storage.Configurations;

public sealed class TaskHistoryPointConfiguration : IEntityTypeConfiguration<TaskHistoryPoint>
{
    public void Configure(EntityTypeBuilder<TaskHistoryPoint> builder)
    {
        // Always InnoDB with MySQL, like configs and logs: the MEMORY engine applies to tasks and signals only.
        builder.ToTable("bgtask_history");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedOnAdd();
        builder.Property(p => p.Status).HasConversion<int>();
        builder.HasIndex(p => new { p.Pid, p.At });
    }
}
