using Bgtask.Core.Tasks;

namespace Bgtask.Core.Contracts;

public sealed record HistoryPointResponse(DateTime At, long OpFinished, long OpTotal, long Memory, BackgroundTaskStatus Status)
{
    public static HistoryPointResponse From(TaskHistoryPoint p) => new(p.At, p.OpFinished, p.OpTotal, p.Memory, p.Status);
}

public sealed record HistoryResponse(long Pid, IReadOnlyList<HistoryPointResponse> Points);
