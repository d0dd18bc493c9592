using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Faults;

public sealed class QuickHeartbeatApiFactory : WorkerApiFactory<SqliteTarget>
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Tasks:HeartbeatTimeout", "00:00:01"),
        new("Tasks:SweepInterval", "00:00:00.2"),
    ];
}

/// <summary><c>Tasks:HeartbeatTimeout</c>: a started task that stops reporting is "worker lost (no heartbeat)".</summary>
public sealed class HeartbeatTests(QuickHeartbeatApiFactory api) : IClassFixture<QuickHeartbeatApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task StartedRecordThatNeverReports_IsErrorNoHeartbeat_WhileAnUnstartedOneStaysPending()
    {
        var neverStarted = await _client.NewRecordAsync();
        var silent = await _client.RecordInStatusAsync(Statuses.Running);

        var ended = await _client.WaitForEndAsync(silent.Pid);

        Assert.Equal((Statuses.Error, "worker lost (no heartbeat)", false), (ended.Status, ended.Message, ended.Live));
        // The supervisor logs it just after the change.
        await Eventually.TrueAsync(async () => (await _client.LogLinesAsync(silent.Pid)).Contains("error worker lost (no heartbeat)"),
            "the log says the worker was lost");
        // The sweep that ended the silent one saw this older record too, and left it.
        var pending = await _client.GetTaskAsync(neverStarted.Pid);
        Assert.Equal((Statuses.Pending, true), (pending.Status, pending.Live));
    }

    [Fact]
    public async Task RecordThatKeepsReporting_StaysRunning()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        var silent = await _client.RecordInStatusAsync(Statuses.Running);
        var op = 0;
        // Reports at every poll while another record, silent, runs out its timeout.
        await _client.WaitForAsync(silent.Pid, async t =>
        {
            await _client.ReportStateAsync(task.Pid, new StateReport(1000, ++op));
            return Launches.Terminal(t.Status);
        }, "has ended");
        Assert.Equal(Statuses.Running, (await _client.GetTaskAsync(task.Pid)).Status);
        await _client.MoveAsync(task.Pid, "finished");
    }
}
