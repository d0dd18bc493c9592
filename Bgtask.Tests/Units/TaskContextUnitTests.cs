using Bgtask.Tests.Client;
using Bgtask.Worker.Sdk;

namespace Bgtask.Tests.Units;

/// <summary>
/// The check-point of a running task, through the real runner over an in-memory channel: what arrived since the
/// last one is applied there, in the order sent; sleep holds it until continue or stop; stop ends the task.
/// </summary>
public sealed class TaskContextUnitTests
{
    // No periodic reports: every report a test sees was forced by a change of sleeping, or is the final one.
    private static readonly RunnerOptions Options = new()
    {
        ReportInterval = TimeSpan.FromHours(1),
        HeartbeatInterval = TimeSpan.FromHours(1),
    };

    private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts the run; the task's code waits for <see cref="GoAsync"/> before doing anything that matters.</summary>
    private static (Task<TaskEnding?> Run, ScriptedChannel Channel) Start(Func<TaskContext, Task> body) =>
        ScriptedTask.Run(body, Options);

    /// <summary>Lets the task's code go on once the listener has put <paramref name="batches"/> batches in its inbox.</summary>
    private async Task GoAsync(ScriptedChannel channel, int batches)
    {
        await Eventually.TrueAsync(() => Task.FromResult(channel.Reads > batches), $"the listener has taken {batches} batches");
        _go.SetResult();
    }

    private static Task<TaskEnding?> EndAsync(Task<TaskEnding?> run) => Eventually.WithinAsync(run, "the end of the run");

    [Fact]
    public async Task Checkpoint_AppliesSignalsAndConfigInTheOrderSent()
    {
        var seen = new List<string>();
        var (run, channel) = Start(async context =>
        {
            context.OnSignal = signal =>
            {
                seen.Add(signal);
                return ValueTask.CompletedTask;
            };
            context.ConfigChanged += c => seen.Add($"config {c.ConfigVersion} n={c.Config.GetProperty("n").GetInt32()}");
            await _go.Task;
            seen.Add($"before the check-point: config {context.ConfigVersion}");
            await context.CheckpointAsync();
        });

        channel.SendConfig(ScriptedChannel.ConfigOf(2, """{"n":2}"""), "custom.a");
        channel.Send("custom.b");
        await GoAsync(channel, batches: 2);

        Assert.Equal(TaskEnding.Finished, await EndAsync(run));
        Assert.Equal(["before the check-point: config 1", "custom.a", "config 2 n=2", "custom.b"], seen);
        Assert.Equal(["start", "config version 2", "finish"], channel.Log);
    }

    [Fact]
    public async Task Checkpoint_WithNothingPending_CompletesAtOnce()
    {
        var completedAtOnce = false;
        var (run, _) = Start(context =>
        {
            completedAtOnce = context.CheckpointAsync().IsCompletedSuccessfully;
            return Task.CompletedTask;
        });

        Assert.Equal(TaskEnding.Finished, await EndAsync(run));
        Assert.True(completedAtOnce);
    }

    [Fact]
    public async Task Sleep_HoldsTheCheckpointUntilContinue_ReportingSleepingThenRunning()
    {
        var woke = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (run, channel) = Start(async context =>
        {
            await _go.Task;
            await context.CheckpointAsync();
            woke.SetResult();
        });

        channel.Send("sleep");
        await GoAsync(channel, batches: 1);
        await Eventually.TrueAsync(() => Task.FromResult(channel.Reports.Any(r => r.Sleeping)), "a sleeping report");
        Assert.False(woke.Task.IsCompleted, "the check-point went on while asleep");

        channel.Send("continue");
        Assert.Equal(TaskEnding.Finished, await EndAsync(run));
        Assert.True(woke.Task.IsCompleted);
        Assert.Equal([true, false, false], channel.Reports.Select(r => r.Sleeping));
        Assert.Equal(["start", "sleep", "continue", "finish"], channel.Log);
    }

    [Fact]
    public async Task SleepWhileAsleep_AndContinueWhileAwake_ChangeNothing()
    {
        var (run, channel) = Start(async context =>
        {
            await _go.Task;
            await context.CheckpointAsync();
        });

        channel.Send("continue", "sleep", "sleep", "continue");
        await GoAsync(channel, batches: 1);

        Assert.Equal(TaskEnding.Finished, await EndAsync(run));
        Assert.Equal(["start", "sleep", "continue", "finish"], channel.Log);
        Assert.Equal([true, false, false], channel.Reports.Select(r => r.Sleeping));
    }

    [Fact]
    public async Task Stop_FiresTheTokenOnArrival_AndTheCheckpointEndsTheTaskAsStopped()
    {
        var firedBeforeTheCheckpoint = false;
        var (run, channel) = Start(async context =>
        {
            await _go.Task;
            firedBeforeTheCheckpoint = context.CancellationToken.IsCancellationRequested;
            await context.CheckpointAsync();
            throw new InvalidOperationException("the check-point let a stopped task carry on");
        });

        channel.Send("stop");
        await GoAsync(channel, batches: 1);

        Assert.Equal(TaskEnding.Stopped, await EndAsync(run));
        Assert.True(firedBeforeTheCheckpoint);
        Assert.Equal((TaskEnding.Stopped, "stopped by signal"), await channel.Ended.Task);
        Assert.Equal(["start", "stop"], channel.Log);
    }

    [Fact]
    public async Task Stop_WhileAsleep_EndsTheHoldAndTheTaskAsStopped()
    {
        var (run, channel) = Start(async context =>
        {
            await _go.Task;
            await context.CheckpointAsync();
            throw new InvalidOperationException("the check-point let a stopped task carry on");
        });

        channel.Send("sleep");
        await GoAsync(channel, batches: 1);
        await Eventually.TrueAsync(() => Task.FromResult(channel.Reports.Any(r => r.Sleeping)), "a sleeping report");
        channel.Send("stop");

        Assert.Equal(TaskEnding.Stopped, await EndAsync(run));
        Assert.Equal(["start", "sleep", "stop"], channel.Log);
    }

    [Fact]
    public async Task CustomSignal_WithNoHandler_IsLoggedAndTheTaskGoesOn()
    {
        var (run, channel) = Start(async context =>
        {
            await _go.Task;
            await context.CheckpointAsync();
        });

        channel.Send("custom.x");
        await GoAsync(channel, batches: 1);

        Assert.Equal(TaskEnding.Finished, await EndAsync(run));
        Assert.Equal(["start", "signal custom.x (no handler)", "finish"], channel.Log);
    }
}
