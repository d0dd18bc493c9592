namespace Bgtask.Worker.Client;

/// <summary>
/// How long a worker keeps retrying while the service is away (a restart, a network blip): with back-off,
/// up to <see cref="Window"/> (10 minutes by default). Past it, the call fails.
/// </summary>
public sealed class RetryWindow
{
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);
}
