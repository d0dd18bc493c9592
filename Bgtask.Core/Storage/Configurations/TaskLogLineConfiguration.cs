using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bgtask.Core.Storage.Configurations;

public sealed class TaskLogLineConfiguration : IEntityTypeConfiguration<TaskLogLine>
{
    public void Configure(EntityTypeBuilder<TaskLogLine> builder)
    {
        builder.ToTable("bgtask_log");
        builder.HasKey(l => new { l.Pid, l.Seq });
        builder.Property(l => l.Line).IsRequired();
    }
}
