using Bgtask.Tests.Client;
using Bgtask.Worker.Sdk;

namespace Bgtask.Tests.Units;

/// <summary>
/// The runner's reporter between heartbeats: it does not tick while the task is quiet, so what the task changes after
/// a quiet spell must wake it. The heartbeat here is an hour away: anything seen within the test's wait was sent
/// because of the change, never because a heartbeat came due.
/// </summary>
public sealed class ReporterUnitTests
{
    private static readonly RunnerOptions Options = new()
    {
        ReportInterval = TimeSpan.FromMilliseconds(20),
        HeartbeatInterval = TimeSpan.FromHours(1),
    };

    private static (Task<TaskEnding?> Run, ScriptedChannel Channel) Start(Func<TaskContext, Task> body) =>
        ScriptedTask.Run(body, Options);

    [Fact]
    public async Task ProgressAfterAQuietSpell_IsReportedWithoutWaitingForTheHeartbeat()
    {
        var quiet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (run, channel) = Start(async context =>
        {
            context.SetTotal(10);
            await quiet.Task;
            context.Advance();
            await done.Task;
        });

        await Eventually.TrueAsync(() => Task.FromResult(channel.Reports.Any(r => r.OpTotal == 10)), "the first report");
        // Several report intervals with nothing new: the reporter is now waiting for a change, not ticking.
        await Task.Delay(Options.ReportInterval * 10);
        quiet.SetResult();
        await Eventually.TrueAsync(() => Task.FromResult(channel.Reports.Any(r => r.OpFinished == 1)), "the progress after the quiet spell");

        done.SetResult();
        Assert.Equal(TaskEnding.Finished, await Eventually.WithinAsync(run, "the end of the run"));
    }

    [Fact]
    public async Task ALogLineAfterAQuietSpell_IsSentWithoutWaitingForTheHeartbeat()
    {
        var quiet = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (run, channel) = Start(async context =>
        {
            await quiet.Task;
            context.Log("after the quiet spell");
            await done.Task;
        });

        await Eventually.TrueAsync(() => Task.FromResult(channel.Log.Contains("start")), "the start line");
        await Task.Delay(Options.ReportInterval * 10);
        quiet.SetResult();
        await Eventually.TrueAsync(() => Task.FromResult(channel.Log.Contains("after the quiet spell")), "the line after the quiet spell");

        done.SetResult();
        Assert.Equal(TaskEnding.Finished, await Eventually.WithinAsync(run, "the end of the run"));
    }
}
