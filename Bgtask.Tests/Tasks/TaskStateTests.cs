using System.Net;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Tasks;

/// <summary>The contract's state rules: <c>started</c>, <c>finished</c>, <c>stopped</c>, <c>error</c>, <c>PUT state</c>, <c>kill</c>.</summary>
public abstract class TaskStateTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private static readonly TimeSpan Microsecond = TimeSpan.FromMilliseconds(0.001);

    public static TheoryData<string> LiveStatuses => [Statuses.Pending, Statuses.Running, Statuses.Sleeping];

    public static TheoryData<string> TerminalStatuses => [Statuses.Finished, Statuses.Stopped, Statuses.Error];

    /// <summary>Each terminal route with the status it leads to and the message it leaves by default.</summary>
    public static TheoryData<string, string, string?> Endings => new()
    {
        { "finished", Statuses.Finished, null },
        { "stopped", Statuses.Stopped, "stopped" },
        { "error", Statuses.Error, "error" },
    };

    // started

    [Fact]
    public async Task Started_PendingTask_MovesToRunningAndStampsStartedAt()
    {
        var record = await Client.NewRecordAsync();

        var task = await Client.MoveAsync(record.Pid, "started");

        Assert.Equal(Statuses.Running, task.Status);
        Assert.NotNull(task.StartedAt);
        Assert.NotNull(task.HeartbeatAt);
        Assert.True(task.StartedAt >= record.CreatedAt - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(task.RuntimeSeconds);
        Assert.True(task.Live);
        Assert.Equal(task.Status, (await Client.GetTaskAsync(record.Pid)).Status);
    }

    [Theory]
    [InlineData(Statuses.Running)]
    [InlineData(Statuses.Sleeping)]
    public async Task Started_OnRunningOrSleepingTask_Returns200AndChangesNothing(string status)
    {
        var before = await Client.RecordInStatusAsync(status);

        var after = await Client.MoveAsync(before.Pid, "started");

        Assert.Equal(status, after.Status);
        Assert.Equal(before.StartedAt!.Value, after.StartedAt!.Value, Microsecond);
    }

    [Theory]
    [MemberData(nameof(TerminalStatuses))]
    public async Task Started_OnTerminalTask_Returns409AndChangesNothing(string status)
    {
        var before = await Client.RecordInStatusAsync(status);

        await (await Client.CallAsync(before.Pid, "started")).ReadProblemAsync(HttpStatusCode.Conflict);

        var after = await Client.GetTaskAsync(before.Pid);
        Assert.Equal(status, after.Status);
        Assert.Equal(before.Message, after.Message);
    }

    // finished, stopped, error

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task Ending_PendingTask_MovesToTheTerminalStatus(string route, string status, string? message) =>
        await EndsFromAsync(Statuses.Pending, route, status, message);

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task Ending_RunningTask_MovesToTheTerminalStatus(string route, string status, string? message) =>
        await EndsFromAsync(Statuses.Running, route, status, message);

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task Ending_SleepingTask_MovesToTheTerminalStatus(string route, string status, string? message) =>
        await EndsFromAsync(Statuses.Sleeping, route, status, message);

    private async Task EndsFromAsync(string from, string route, string status, string? message)
    {
        var before = await Client.RecordInStatusAsync(from);

        var after = await Client.MoveAsync(before.Pid, route);

        Assert.Equal(status, after.Status);
        Assert.Equal(message, after.Message);
        Assert.NotNull(after.FinishedAt);
        Assert.False(after.Live);
        Assert.Null(after.EtaSeconds);
        var read = await Client.GetTaskAsync(before.Pid);
        Assert.Equal((status, message, false), (read.Status, read.Message, read.Live));
        Assert.Equal(after.FinishedAt.Value, read.FinishedAt!.Value, Microsecond);
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task Ending_Repeated_Returns200AndChangesNothing(string route, string status, string? message)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var first = await Client.MoveAsync(task.Pid, route);

        var again = await Client.MoveAsync(task.Pid, route);

        Assert.Equal(status, again.Status);
        Assert.Equal(message, again.Message);
        Assert.Equal(first.FinishedAt!.Value, again.FinishedAt!.Value, Microsecond);
    }

    [Theory]
    [InlineData(Statuses.Finished, "stopped")]
    [InlineData(Statuses.Finished, "error")]
    [InlineData(Statuses.Stopped, "finished")]
    [InlineData(Statuses.Stopped, "error")]
    [InlineData(Statuses.Error, "finished")]
    [InlineData(Statuses.Error, "stopped")]
    public async Task Ending_TaskAlreadyInAnotherTerminalStatus_Returns409AndChangesNothing(string status, string route)
    {
        var before = await Client.RecordInStatusAsync(status);

        await (await Client.CallAsync(before.Pid, route)).ReadProblemAsync(HttpStatusCode.Conflict);

        var after = await Client.GetTaskAsync(before.Pid);
        Assert.Equal(status, after.Status);
        Assert.Equal(before.Message, after.Message);
        Assert.Equal(before.FinishedAt!.Value, after.FinishedAt!.Value, Microsecond);
    }

    [Theory]
    [InlineData("stopped", Statuses.Stopped)]
    [InlineData("error", Statuses.Error)]
    public async Task StoppedOrError_WithAMessage_KeepsIt(string route, string status)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var after = await (await Client.PostAsJsonAsync($"{Contract.TaskPath(task.Pid)}/{route}",
            new MessageBody("disk full: /var/lib ünïcødé"), Contract.Json)).ReadAsAsync<TaskView>();

        Assert.Equal(status, after.Status);
        Assert.Equal("disk full: /var/lib ünïcødé", after.Message);
        Assert.Equal("disk full: /var/lib ünïcødé", (await Client.GetTaskAsync(task.Pid)).Message);
    }

    [Theory]
    [InlineData("stopped", "stopped")]
    [InlineData("error", "error")]
    public async Task StoppedOrError_WithAnEmptyObject_UsesTheDefaultMessage(string route, string message)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var after = await (await Client.PostAsync($"{Contract.TaskPath(task.Pid)}/{route}", Contract.JsonText("{}")))
            .ReadAsAsync<TaskView>();
        Assert.Equal(message, after.Message);
    }

    [Theory]
    [InlineData("stopped")]
    [InlineData("error")]
    public async Task StoppedOrError_WithAMessageOverTheLimit_Returns400AndChangesNothing(string route)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var response = await Client.PostAsJsonAsync($"{Contract.TaskPath(task.Pid)}/{route}",
            new MessageBody(new string('m', 4001)), Contract.Json);

        await response.ReadValidationProblemAsync("message");
        Assert.Equal(Statuses.Running, (await Client.GetTaskAsync(task.Pid)).Status);
    }

    [Fact]
    public async Task Error_WithAMessageAtTheLimit_KeepsItWhole()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var message = string.Concat(Enumerable.Repeat("€", 4000));
        await (await Client.PostAsJsonAsync($"{Contract.TaskPath(task.Pid)}/error", new MessageBody(message), Contract.Json))
            .ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(message, (await Client.GetTaskAsync(task.Pid)).Message);
    }

    // PUT state

    [Fact]
    public async Task PutState_OnRunningTask_RecordsProgressAndMemory()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var after = await Client.ReportStateAsync(task.Pid, new StateReport(100, 25, Memory: 31457280, MemoryPeak: 41943040));

        Assert.Equal(Statuses.Running, after.Status);
        Assert.Equal(100, after.OpTotal);
        Assert.Equal(25, after.OpFinished);
        Assert.Equal(0.25, after.Progress);
        Assert.Equal(31457280, after.Memory);
        Assert.Equal(41943040, after.MemoryPeak);
        Assert.NotNull(after.HeartbeatAt);
        var read = await Client.GetTaskAsync(task.Pid);
        Assert.Equal((100, 25, 0.25, 31457280L, 41943040L),
            (read.OpTotal, read.OpFinished, read.Progress, read.Memory, read.MemoryPeak));
    }

    [Fact]
    public async Task PutState_SleepingThenRunning_MovesTheTaskBetweenThem()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        Assert.Equal(Statuses.Sleeping, (await Client.ReportStateAsync(task.Pid, new StateReport(10, 2, Statuses.Sleeping))).Status);
        Assert.Equal(Statuses.Sleeping, (await Client.GetTaskAsync(task.Pid)).Status);
        Assert.True((await Client.GetTaskAsync(task.Pid)).Live);
        Assert.Equal(Statuses.Running, (await Client.ReportStateAsync(task.Pid, new StateReport(10, 3, Statuses.Running))).Status);
        Assert.Equal(Statuses.Running, (await Client.GetTaskAsync(task.Pid)).Status);
    }

    [Fact]
    public async Task PutState_WithoutStatus_KeepsTheStatus()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Sleeping);
        Assert.Equal(Statuses.Sleeping, (await Client.ReportStateAsync(task.Pid, new StateReport(10, 5))).Status);
    }

    [Fact]
    public async Task PutState_RunningOnPendingTask_StartsIt()
    {
        var task = await Client.NewRecordAsync();
        var after = await Client.ReportStateAsync(task.Pid, new StateReport(10, 0, Statuses.Running));
        Assert.Equal(Statuses.Running, after.Status);
        Assert.NotNull(after.StartedAt);
    }

    [Fact]
    public async Task PutState_OpTotalZero_AllowsAnyOpFinishedWithProgressZero()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var after = await Client.ReportStateAsync(task.Pid, new StateReport(0, 42));
        Assert.Equal((0L, 42L, 0.0), (after.OpTotal, after.OpFinished, after.Progress));
    }

    [Fact]
    public async Task PutState_OpFinishedEqualToOpTotal_IsAccepted()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        Assert.Equal(1.0, (await Client.ReportStateAsync(task.Pid, new StateReport(7, 7))).Progress);
    }

    [Fact]
    public async Task PutState_MemoryPeak_KeepsTheHighestReported()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.ReportStateAsync(task.Pid, new StateReport(10, 1, Memory: 100, MemoryPeak: 200));

        var lower = await Client.ReportStateAsync(task.Pid, new StateReport(10, 2, Memory: 50, MemoryPeak: 60));
        Assert.Equal((50L, 200L), (lower.Memory, lower.MemoryPeak));

        var higher = await Client.ReportStateAsync(task.Pid, new StateReport(10, 3, Memory: 300));
        Assert.Equal((300L, 300L), (higher.Memory, higher.MemoryPeak));
        var read = await Client.GetTaskAsync(task.Pid);
        Assert.Equal((300L, 300L), (read.Memory, read.MemoryPeak));
    }

    [Theory]
    [InlineData("finished")]
    [InlineData("stopped")]
    [InlineData("error")]
    [InlineData("pending")]
    [InlineData("RUNNING")]
    [InlineData("bogus")]
    [InlineData("")]
    public async Task PutState_StatusOtherThanRunningOrSleeping_Returns400AndChangesNothing(string status)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        await (await Client.PutStateAsync(task.Pid, new StateReport(10, 1, status))).ReadValidationProblemAsync("status");

        var after = await Client.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Running, 0L), (after.Status, after.OpTotal));
    }

    [Fact]
    public async Task PutState_OpFinishedOverOpTotal_Returns400()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutStateAsync(task.Pid, new StateReport(10, 11))).ReadValidationProblemAsync("opFinished");
    }

    [Theory]
    [InlineData(-1, 0, null, null, "opTotal")]
    [InlineData(0, -1, null, null, "opFinished")]
    [InlineData(10, 1, -1L, null, "memory")]
    [InlineData(10, 1, null, -1L, "memoryPeak")]
    public async Task PutState_NegativeNumber_Returns400(long opTotal, long opFinished, long? memory, long? memoryPeak,
        string field)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var response = await Client.PutStateAsync(task.Pid, new StateReport(opTotal, opFinished, Memory: memory,
            MemoryPeak: memoryPeak));
        await response.ReadValidationProblemAsync(field);
    }

    [Theory]
    [InlineData("""{"opFinished":1}""", "opTotal")]
    [InlineData("""{"opTotal":1}""", "opFinished")]
    public async Task PutState_WithoutOpTotalOrOpFinished_Returns400(string json, string field)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutJsonTextAsync($"{Contract.TaskPath(task.Pid)}/state", json)).ReadValidationProblemAsync(field);
    }

    [Theory]
    [MemberData(nameof(TerminalStatuses))]
    public async Task PutState_OnTerminalTask_Returns409AndChangesNothing(string status)
    {
        var task = await Client.RecordInStatusAsync(status);

        await (await Client.PutStateAsync(task.Pid, new StateReport(10, 5, Statuses.Running)))
            .ReadProblemAsync(HttpStatusCode.Conflict);

        var after = await Client.GetTaskAsync(task.Pid);
        Assert.Equal((status, 0L, 0L), (after.Status, after.OpTotal, after.OpFinished));
    }

    // kill

    [Theory]
    [MemberData(nameof(LiveStatuses))]
    public async Task Kill_ExternalRecord_MarksItStoppedKilledAndAnswersKilledFalse(string status)
    {
        var task = await Client.RecordInStatusAsync(status);

        var kill = await (await Client.CallAsync(task.Pid, "kill")).ReadAsAsync<KillView>();

        Assert.Equal(new KillView(task.Pid, false), kill);
        var after = await Client.GetTaskAsync(task.Pid);
        Assert.Equal((Statuses.Stopped, "killed", false), (after.Status, after.Message, after.Live));
        Assert.NotNull(after.FinishedAt);
    }

    [Theory]
    [MemberData(nameof(TerminalStatuses))]
    public async Task Kill_TerminalTask_ChangesNothingAndAnswersKilledFalse(string status)
    {
        var before = await Client.RecordInStatusAsync(status);

        var kill = await (await Client.CallAsync(before.Pid, "kill")).ReadAsAsync<KillView>();

        Assert.Equal(new KillView(before.Pid, false), kill);
        var after = await Client.GetTaskAsync(before.Pid);
        Assert.Equal((status, before.Message), (after.Status, after.Message));
        Assert.Equal(before.FinishedAt!.Value, after.FinishedAt!.Value, Microsecond);
    }

    [Fact]
    public async Task Kill_Twice_AnswersKilledFalseBothTimesAndStaysKilled()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.CallAsync(task.Pid, "kill")).ReadAsAsync<KillView>();
        Assert.Equal(new KillView(task.Pid, false), await (await Client.CallAsync(task.Pid, "kill")).ReadAsAsync<KillView>());
        Assert.Equal("killed", (await Client.GetTaskAsync(task.Pid)).Message);
    }
}

public sealed class TaskStateTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : TaskStateTests<SqliteTarget>(api);

public sealed class TaskStateTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : TaskStateTests<MariaDbTarget>(api);

public sealed class TaskStateTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : TaskStateTests<MariaDbMemoryTarget>(api);
