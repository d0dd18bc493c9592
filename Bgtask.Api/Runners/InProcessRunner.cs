namespace Bgtask.Api.Runners;

/// <summary>
/// A task running inside the service. Kill cancels its token and stops its reports; code that ignores
/// its token cannot be aborted in .NET, so such a task only detaches (its reports are refused from then on).
/// </summary>
public sealed class InProcessRunner(CancellationTokenSource kill) : IRunner
{
    public Task? Run { get; set; }

    public bool IsAlive => Run is not { IsCompleted: true } && !kill.IsCancellationRequested;

    public async Task<bool> KillAsync()
    {
        if (!IsAlive) return false;
        await kill.CancelAsync();
        if (Run is { } run)
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(2)));
        return true;
    }
}
