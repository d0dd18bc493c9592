using Bgtask.Core.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bgtask.Core.Storage.Configurations;

public sealed class ServiceNodeConfiguration : IEntityTypeConfiguration<ServiceNode>
{
    public void Configure(EntityTypeBuilder<ServiceNode> builder)
    {
        builder.ToTable("bgtask_nodes");
        // The name is the key: two live nodes cannot hold one name (the second one's claim finds the row taken).
        builder.HasKey(n => n.Name);
        builder.Property(n => n.Name).HasMaxLength(StorageLimits.NodeName);
        builder.Property(n => n.Url).HasMaxLength(StorageLimits.NodeUrl).IsRequired();
        builder.Property(n => n.Instance).HasMaxLength(32).IsRequired();
    }
}
