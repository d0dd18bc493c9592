namespace Bgtask.Core.Tasks;

/// <summary>
/// One point of a task's history: its progress, memory and status at <see cref="At"/>. A point at every status
/// change (<see cref="StatusChange"/>, never thinned away) and, while the task reports, at most one per
/// <see cref="HistorySeries.Spacing"/>.
/// </summary>
public class TaskHistoryPoint
{
    public long Id { get; set; }
    public long Pid { get; set; }
    public DateTime At { get; set; }
    public long OpFinished { get; set; }
    public long OpTotal { get; set; }
    public long Memory { get; set; }
    public BackgroundTaskStatus Status { get; set; }
    public bool StatusChange { get; set; }

    /// <summary>The task as it is now, as a point at <paramref name="at"/>.</summary>
    public static TaskHistoryPoint Of(BackgroundTask t, DateTime at, bool statusChange) => new()
    {
        Pid = t.Id, At = at, OpFinished = t.OpFinished, OpTotal = t.OpTotal, Memory = t.Memory, Status = t.Status,
        StatusChange = statusChange,
    };
}
