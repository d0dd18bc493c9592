using System.Diagnostics;
using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Signals;

/// <summary>
/// <c>GET signals?wait=</c>: held until a signal arrives, the config version changes, the task ends, or the time
/// is up. "Held" is shown by the request still being open a moment after it was sent; only ever asserted in that
/// direction, so a slow machine cannot fail these tests.
/// </summary>
public abstract class SignalWaitTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(300);

    private async Task<Task<SignalsRead>> StartHeldReadAsync(long pid, bool clean = true, double wait = 60)
    {
        var read = Client.ReadSignalsAsync(pid, clean, wait);
        Assert.True(await Eventually.StillPendingAfterAsync(read, Grace), "The read answered before anything happened.");
        return read;
    }

    [Fact]
    public async Task Wait_NothingPending_HoldsUntilASignalArrives()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var read = await StartHeldReadAsync(task.Pid);

        await Client.SendSignalAsync(task.Pid, "stop");

        var answer = await Eventually.WithinAsync(read, "the held read to answer with the signal");
        Assert.Equal(["stop"], answer.Signals.Select(s => s.Signal));
        Assert.Equal(1, answer.ConfigVersion);
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid)).Signals);
    }

    [Fact]
    public async Task Wait_WithoutClean_AnswersWithTheSignalAndLeavesIt()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var read = await StartHeldReadAsync(task.Pid, clean: false);

        await Client.SendSignalAsync(task.Pid, "sleep");

        Assert.Equal(["sleep"], (await Eventually.WithinAsync(read, "the held read")).Signals.Select(s => s.Signal));
        Assert.Equal(["sleep"], (await Client.ReadSignalsAsync(task.Pid)).Signals.Select(s => s.Signal));
    }

    [Fact]
    public async Task Wait_ConfigVersionChanges_AnswersEmptyWithTheNewVersion()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var read = await StartHeldReadAsync(task.Pid);

        var answer = await Client.ChangeConfigUntilAnsweredAsync(task.Pid, read);

        Assert.Empty(answer.Signals);
        Assert.InRange(answer.ConfigVersion, 2, (await Client.GetConfigAsync(task.Pid)).Version);
    }

    [Fact]
    public async Task Wait_WithAVersionOtherThanTheTasks_AnswersAtOnce()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutConfigAsync(task.Pid, new { change = 1 })).ShouldBeAsync(HttpStatusCode.OK);

        // The reader still holds version 1: the change landed before its read, and must not wait out the 60 s.
        var answer = await Eventually.WithinAsync(Client.ReadSignalsAsync(task.Pid, clean: true, wait: 60, version: 1),
            "a read holding an old config version to answer without waiting");

        Assert.Empty(answer.Signals);
        Assert.Equal(2, answer.ConfigVersion);
    }

    [Fact]
    public async Task Wait_WithTheTasksVersion_HoldsUntilTheConfigChanges()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutConfigAsync(task.Pid, new { change = 1 })).ShouldBeAsync(HttpStatusCode.OK);
        var read = Client.ReadSignalsAsync(task.Pid, clean: true, wait: 60, version: 2);
        Assert.True(await Eventually.StillPendingAfterAsync(read, Grace), "The read answered before anything happened.");

        await (await Client.PutConfigAsync(task.Pid, new { change = 2 })).ShouldBeAsync(HttpStatusCode.OK);

        var answer = await Eventually.WithinAsync(read, "the held read to answer the config change");
        Assert.Empty(answer.Signals);
        Assert.Equal(3, answer.ConfigVersion);
    }

    [Fact]
    public async Task Wait_UnparsableVersion_Returns400()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.GetAsync($"/api/tasks/{task.Pid}/signals?wait=1&version=abc"))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Wait_WithAVersionAndASignalPending_AnswersWithTheSignal()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.SendSignalAsync(task.Pid, "custom.one");

        var answer = await Eventually.WithinAsync(Client.ReadSignalsAsync(task.Pid, clean: true, wait: 60, version: 7),
            "the read to answer with the pending signal");

        Assert.Equal(["custom.one"], answer.Signals.Select(s => s.Signal));
        Assert.Equal(1, answer.ConfigVersion);
    }

    [Theory]
    [InlineData("finished")]
    [InlineData("stopped")]
    [InlineData("error")]
    [InlineData("kill")]
    public async Task Wait_TaskEndsWhileHeld_AnswersAtOnce(string route)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var read = await StartHeldReadAsync(task.Pid, wait: 60);

        await (await Client.CallAsync(task.Pid, route)).ShouldBeAsync(HttpStatusCode.OK);

        Assert.Empty((await Eventually.WithinAsync(read, "the held read to answer after the task ended")).Signals);
    }

    [Theory]
    [InlineData(Statuses.Finished)]
    [InlineData(Statuses.Stopped)]
    [InlineData(Statuses.Error)]
    public async Task Wait_OnTerminalTask_AnswersAtOnce(string status)
    {
        var task = await Client.RecordInStatusAsync(status);

        var answer = await Eventually.WithinAsync(Client.ReadSignalsAsync(task.Pid, clean: true, wait: 60),
            "a read of a terminal task to answer without waiting");

        Assert.Empty(answer.Signals);
        Assert.Equal(1, answer.ConfigVersion);
    }

    [Fact]
    public async Task Wait_SignalAlreadyPending_AnswersAtOnce()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.SendSignalAsync(task.Pid, "continue");

        var answer = await Eventually.WithinAsync(Client.ReadSignalsAsync(task.Pid, clean: true, wait: 60),
            "a read with a signal pending to answer without waiting");

        Assert.Equal(["continue"], answer.Signals.Select(s => s.Signal));
    }

    [Fact]
    public async Task Wait_TimeIsUp_AnswersWithAnEmptyList()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var clock = Stopwatch.StartNew();

        var answer = await Client.ReadSignalsAsync(task.Pid, clean: true, wait: 1);

        Assert.Empty(answer.Signals);
        Assert.Equal(1, answer.ConfigVersion);
        // A lower bound only: it cannot have answered before it had waited its second.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"Answered after {clock.Elapsed}.");
    }

    [Fact]
    public async Task Wait_FractionalSeconds_AreAccepted()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid, wait: 0.2)).Signals);
    }

    [Fact]
    public async Task Wait_SignalTakenByAnotherReader_KeepsWaitingForTheNextOne()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var first = Client.ReadSignalsAsync(task.Pid, clean: true, wait: 60);
        var second = Client.ReadSignalsAsync(task.Pid, clean: true, wait: 60);
        Assert.True(await Eventually.StillPendingAfterAsync(Task.WhenAny(first, second), Grace));

        await Client.SendSignalAsync(task.Pid, "one");
        await Eventually.TrueAsync(() => Task.FromResult(first.IsCompleted || second.IsCompleted),
            "one of the two readers to get the signal");
        var (winner, loser) = first.IsCompleted ? (first, second) : (second, first);
        Assert.Equal(["one"], (await winner).Signals.Select(s => s.Signal));
        Assert.True(await Eventually.StillPendingAfterAsync(loser, Grace), "The other reader gave up instead of waiting.");

        await Client.SendSignalAsync(task.Pid, "two");
        Assert.Equal(["two"], (await Eventually.WithinAsync(loser, "the other reader")).Signals.Select(s => s.Signal));
    }
}

public sealed class SignalWaitTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : SignalWaitTests<SqliteTarget>(api);

public sealed class SignalWaitTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : SignalWaitTests<MariaDbTarget>(api);

public sealed class SignalWaitTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : SignalWaitTests<MariaDbMemoryTarget>(api);
