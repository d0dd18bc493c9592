namespace Bgtask.Core.Tasks;

/// <summary>One version of a task's config. (Pid, Version) is unique: two writers cannot both make version N.</summary>
public class TaskConfig
{
    public long Pid { get; set; }
    public int Version { get; set; }
    public required string Json { get; set; }
    public DateTime CreatedAt { get; set; }
}
