using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Signals;

/// <summary><c>POST</c>, <c>GET</c> (peek and <c>clean=true</c>) and <c>DELETE /api/tasks/{pid}/signals</c>.</summary>
public abstract class SignalTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private string SignalsPath(long pid) => $"{Contract.TaskPath(pid)}/signals";

    [Fact]
    public async Task Signal_ToRunningTask_Returns201WithTheSignal()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var signal = await Client.SendSignalAsync(task.Pid, "sleep");

        Assert.True(signal.Id > 0);
        Assert.Equal(task.Pid, signal.Pid);
        Assert.Equal("sleep", signal.Signal);
        Assert.InRange(signal.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Theory]
    [InlineData(Statuses.Pending)]
    [InlineData(Statuses.Sleeping)]
    public async Task Signal_ToAnyLiveTask_Returns201(string status)
    {
        var task = await Client.RecordInStatusAsync(status);
        Assert.Equal("continue", (await Client.SendSignalAsync(task.Pid, "continue")).Signal);
    }

    [Theory]
    [InlineData("stop")]
    [InlineData("reload")]
    [InlineData("my.custom-signal_2")]
    [InlineData("a")]
    public async Task Signal_WithABuiltInOrCustomName_IsDeliveredAsSent(string name)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.SendSignalAsync(task.Pid, name);
        Assert.Equal([name], (await Client.ReadSignalsAsync(task.Pid)).Signals.Select(s => s.Signal));
    }

    [Fact]
    public async Task Signal_WithALongestAllowedName_IsAccepted()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var name = "s" + new string('x', 63);
        Assert.Equal(name, (await Client.SendSignalAsync(task.Pid, name)).Signal);
    }

    [Theory]
    [InlineData(Statuses.Finished)]
    [InlineData(Statuses.Stopped)]
    [InlineData(Statuses.Error)]
    public async Task Signal_ToTerminalTask_Returns409(string status)
    {
        var task = await Client.RecordInStatusAsync(status);
        await (await Client.PostSignalAsync(task.Pid, "stop")).ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid)).Signals);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Sleep")]
    [InlineData("1up")]
    [InlineData("_x")]
    [InlineData("two words")]
    [InlineData("semi;colon")]
    [InlineData("ünï")]
    [InlineData("s12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task Signal_WithABadName_Returns400(string? name)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PostSignalAsync(task.Pid, name)).ReadValidationProblemAsync("signal");
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid)).Signals);
    }

    [Fact]
    public async Task Read_ReturnsSignalsOldestFirstAndLeavesThem()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var sent = new List<SignalView>();
        foreach (var name in new[] { "sleep", "continue", "custom.one", "stop" })
            sent.Add(await Client.SendSignalAsync(task.Pid, name));

        var first = await Client.ReadSignalsAsync(task.Pid);
        var second = await Client.ReadSignalsAsync(task.Pid);

        Assert.Equal(sent.Select(s => (s.Id, s.Pid, s.Signal)), first.Signals.Select(s => (s.Id, s.Pid, s.Signal)));
        Assert.Equal(first.Signals.Select(s => s.Id), second.Signals.Select(s => s.Id));
        Assert.True(first.Signals.Select(s => s.Id).SequenceEqual(first.Signals.Select(s => s.Id).Order()));
    }

    [Fact]
    public async Task Read_Clean_ReturnsThemOnceAndConsumesThem()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.SendSignalAsync(task.Pid, "sleep");
        await Client.SendSignalAsync(task.Pid, "continue");

        var consumed = await Client.ReadSignalsAsync(task.Pid, clean: true);

        Assert.Equal(["sleep", "continue"], consumed.Signals.Select(s => s.Signal));
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid, clean: true)).Signals);
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid)).Signals);
    }

    [Fact]
    public async Task Read_OnlyReturnsThatTasksSignals()
    {
        var mine = await Client.RecordInStatusAsync(Statuses.Running);
        var other = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.SendSignalAsync(other.Pid, "stop");
        await Client.SendSignalAsync(mine.Pid, "sleep");

        Assert.Equal(["sleep"], (await Client.ReadSignalsAsync(mine.Pid, clean: true)).Signals.Select(s => s.Signal));
        Assert.Equal(["stop"], (await Client.ReadSignalsAsync(other.Pid)).Signals.Select(s => s.Signal));
    }

    [Fact]
    public async Task Read_TerminalTask_StillAnswersWithItsSignals()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.SendSignalAsync(task.Pid, "stop");
        await Client.MoveAsync(task.Pid, "stopped");

        Assert.Equal(["stop"], (await Client.ReadSignalsAsync(task.Pid, clean: true)).Signals.Select(s => s.Signal));
    }

    [Fact]
    public async Task Read_EveryAnswer_CarriesTheConfigVersionHeader()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        Assert.Equal(1, (await Client.ReadSignalsAsync(task.Pid)).ConfigVersion);

        await (await Client.PutConfigAsync(task.Pid, new { step = 2 })).ShouldBeAsync(HttpStatusCode.OK);
        await Client.SendSignalAsync(task.Pid, "sleep");

        Assert.Equal(2, (await Client.ReadSignalsAsync(task.Pid)).ConfigVersion);
        Assert.Equal(2, (await Client.ReadSignalsAsync(task.Pid, clean: true)).ConfigVersion);
        Assert.Equal(2, (await Client.ReadSignalsAsync(task.Pid, clean: true, wait: 0)).ConfigVersion);
    }

    [Fact]
    public async Task Clear_WithIds_RemovesOnlyThose()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var a = await Client.SendSignalAsync(task.Pid, "a");
        var b = await Client.SendSignalAsync(task.Pid, "b");
        var c = await Client.SendSignalAsync(task.Pid, "c");

        var removed = await (await Client.DeleteAsync($"{SignalsPath(task.Pid)}?id={a.Id}&id={c.Id}"))
            .ReadAsAsync<RemovedView>();

        Assert.Equal(2, removed.Removed);
        Assert.Equal([b.Id], (await Client.ReadSignalsAsync(task.Pid)).Signals.Select(s => s.Id));
    }

    [Fact]
    public async Task Clear_WithOneId_RemovesIt()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var a = await Client.SendSignalAsync(task.Pid, "a");
        var b = await Client.SendSignalAsync(task.Pid, "b");

        var removed = await (await Client.DeleteAsync($"{SignalsPath(task.Pid)}?id={a.Id}")).ReadAsAsync<RemovedView>();

        Assert.Equal(1, removed.Removed);
        Assert.Equal([b.Id], (await Client.ReadSignalsAsync(task.Pid)).Signals.Select(s => s.Id));
    }

    [Fact]
    public async Task Clear_WithoutIds_RemovesAllOfTheTasksSignals()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var other = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.SendSignalAsync(task.Pid, "a");
        await Client.SendSignalAsync(task.Pid, "b");
        await Client.SendSignalAsync(other.Pid, "kept");

        var removed = await (await Client.DeleteAsync(SignalsPath(task.Pid))).ReadAsAsync<RemovedView>();

        Assert.Equal(2, removed.Removed);
        Assert.Empty((await Client.ReadSignalsAsync(task.Pid)).Signals);
        Assert.Equal(["kept"], (await Client.ReadSignalsAsync(other.Pid)).Signals.Select(s => s.Signal));
    }

    [Fact]
    public async Task Clear_IdsOfAnotherTaskOrUnknown_RemovesNothing()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var other = await Client.RecordInStatusAsync(Statuses.Running);
        var theirs = await Client.SendSignalAsync(other.Pid, "theirs");
        await Client.SendSignalAsync(task.Pid, "mine");

        var removed = await (await Client.DeleteAsync($"{SignalsPath(task.Pid)}?id={theirs.Id}&id={long.MaxValue}"))
            .ReadAsAsync<RemovedView>();

        Assert.Equal(0, removed.Removed);
        Assert.Single((await Client.ReadSignalsAsync(other.Pid)).Signals);
        Assert.Single((await Client.ReadSignalsAsync(task.Pid)).Signals);
    }

    [Fact]
    public async Task Clear_NothingPending_ReturnsRemovedZero()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Finished);
        Assert.Equal(0, (await (await Client.DeleteAsync(SignalsPath(task.Pid))).ReadAsAsync<RemovedView>()).Removed);
    }

    [Fact]
    public async Task Clear_UnparsableId_Returns400()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.DeleteAsync($"{SignalsPath(task.Pid)}?id=abc")).ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("wait=-1")]
    [InlineData("wait=60.5")]
    [InlineData("wait=61")]
    [InlineData("wait=NaN")]
    [InlineData("wait=Infinity")]
    public async Task Read_WaitOutOfRange_Returns400(string query)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.GetAsync($"{SignalsPath(task.Pid)}?{query}")).ReadValidationProblemAsync("wait");
    }

    [Theory]
    [InlineData("wait=soon")]
    [InlineData("clean=maybe")]
    public async Task Read_UnparsableParameter_Returns400(string query)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.GetAsync($"{SignalsPath(task.Pid)}?{query}")).ReadProblemAsync(HttpStatusCode.BadRequest);
    }
}

public sealed class SignalTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : SignalTests<SqliteTarget>(api);

public sealed class SignalTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : SignalTests<MariaDbTarget>(api);

public sealed class SignalTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : SignalTests<MariaDbMemoryTarget>(api);
