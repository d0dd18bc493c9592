namespace Bgtask.Core.Tasks;

/// <summary>
/// The rate is measured over a sliding window of at least <see cref="MinWindow"/> and about
/// <see cref="MaxWindow"/>: when the window's start grows older than that, it moves up to the previous report.
/// </summary>
public static class RateWindow
{
    public static readonly TimeSpan MinWindow = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromSeconds(10);

    public readonly record struct Sample(double? Rate, long? SinceOps, DateTime? SinceAt);

    public static Sample Next(BackgroundTask task, long opFinished, DateTime now)
    {
        if (task.RateSinceAt is not { } sinceAt || task.RateSinceOps is not { } sinceOps || opFinished < sinceOps)
            return new(null, opFinished, now);

        var elapsed = now - sinceAt;
        if (elapsed < MinWindow) return new(task.Rate, sinceOps, sinceAt);

        var rate = (opFinished - sinceOps) / elapsed.TotalSeconds;
        if (elapsed < MaxWindow || task.HeartbeatAt is not { } previousAt || previousAt <= sinceAt)
            return new(rate, sinceOps, sinceAt);
        return new(rate, task.OpFinished, previousAt);
    }
}
