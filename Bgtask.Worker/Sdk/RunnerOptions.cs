namespace Bgtask.Worker.Sdk;

public sealed class RunnerOptions
{
    /// <summary>How often progress is looked at and, when it changed, reported (reports are coalesced).</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A report goes out at least this often, even with no progress (while sleeping, or busy).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one held signals request waits (the contract's <c>wait</c>, at most 60 s).</summary>
    public TimeSpan SignalWait { get; init; } = TimeSpan.FromSeconds(30);
}
