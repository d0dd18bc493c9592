using Bgtask.Core.Tasks;

namespace Bgtask.Core.Contracts;

public sealed record SignalRequest(string? Signal);

public sealed record SignalResponse(long Id, long Pid, string Signal, DateTime CreatedAt)
{
    public static SignalResponse From(TaskSignal s) => new(s.Id, s.Pid, s.Signal, s.CreatedAt);
}

public sealed record RemovedResponse(int Removed);
