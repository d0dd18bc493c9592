namespace Bgtask.Core.Tasks;

/// <summary>One line of a task's log; <see cref="Seq"/> counts from 1 per task.</summary>
public class TaskLogLine
{
    public long Pid { get; set; }
    public long Seq { get; set; }
    public DateTime At { get; set; }
    public required string Line { get; set; }
}
