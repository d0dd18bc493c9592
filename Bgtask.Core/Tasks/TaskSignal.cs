namespace Bgtask.Core.Tasks;

/// <summary>A signal waiting for its task. Consumed by claiming it first, then deleting what was claimed.</summary>
public class TaskSignal
{
    public long Id { get; set; }
    public long Pid { get; set; }
    public required string Signal { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Set by the one reader that consumes this signal; null while it is pending.</summary>
    public long? ClaimedBy { get; set; }
}
