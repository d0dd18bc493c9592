namespace Bgtask.Core.Tasks;

/// <summary>A validated <c>PUT state</c>: <see cref="Status"/> is null, running or sleeping.</summary>
public sealed record StateReport(long OpTotal, long OpFinished, BackgroundTaskStatus? Status, long? Memory, long? MemoryPeak)
{
    /// <summary>The task as this report leaves it (status and progress), as a new row object.</summary>
    public BackgroundTask AppliedTo(BackgroundTask task, DateTime now)
    {
        var status = Status ?? task.Status;
        var next = task.MemberwiseCopy();
        next.Status = status;
        TaskProgress.Next(task, this, status, now).MergeInto(next);
        return next;
    }
}
