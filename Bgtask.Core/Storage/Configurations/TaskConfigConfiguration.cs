using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bgtask.Core.Storage.Configurations;

public sealed class TaskConfigConfiguration : IEntityTypeConfiguration<TaskConfig>
{
    public void Configure(EntityTypeBuilder<TaskConfig> builder)
    {
        builder.ToTable("bgtask_configs");
        // The key is what makes a config PUT atomic: two writers cannot both insert version N.
        builder.HasKey(c => new { c.Pid, c.Version });
        builder.Property(c => c.Json).IsRequired();
    }
}
