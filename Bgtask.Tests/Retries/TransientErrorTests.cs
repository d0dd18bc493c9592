using System.Net;
using Bgtask.Api.Launches;
using Microsoft.Extensions.DependencyInjection;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;
using static Bgtask.Tests.Infrastructure.ServerErrorInjector;

namespace Bgtask.Tests.Retries;

/// <summary>
/// Real server errors (deadlock 1213, Galera's 1047, a killed connection) in the middle of the calls that write:
/// each succeeds after as many failures as there are retries, storing exactly once; one failure more is a 503 with
/// problem details and nothing half-stored.
/// </summary>
public sealed class TransientErrorTests(TransientErrorsFactory api) : IClassFixture<TransientErrorsFactory>, IDisposable
{
    private const int Retries = TransientErrorsFactory.RetryCount;
    private readonly HttpClient _client = api.CreateClient();
    private readonly ServerErrorInjector _injector = api.Injector;

    public void Dispose()
    {
        _injector.Disarm();
        api.Hold.Disarm();
    }

    [Fact]
    public async Task Launch_AfterDeadlocks_StoresTheTaskOnceAndRuns()
    {
        var description = $"retried launch {Guid.NewGuid():N}";
        _injector.Fail(Statement("INSERT", "bgtask_configs", inTransaction: true), Retries, ServerError.Deadlock);

        var task = await _client.LaunchAsync("demo.count", new { total = 3, delayMs = 10 }, launcher: "inprocess",
            description: description);

        Assert.Equal(Retries, _injector.Fired);
        await _client.WaitForStatusAsync(task.Pid, Statuses.Finished);
        Assert.Equal(1, await CountTasksDescribedAsync(description));
        Assert.Equal(1, await api.CountAsync("SELECT COUNT(*) FROM bgtask_configs WHERE Pid = @value", task.Pid));
    }

    [Fact]
    public async Task Launch_ConnectionLostAfterCommit_StoresTheTaskOnce()
    {
        var description = $"launch lost at commit {Guid.NewGuid():N}";
        _injector.Fail(Statement("INSERT", "bgtask_configs", inTransaction: true), 1, ServerError.LostAfterCommit);

        var task = await _client.LaunchAsync("demo.count", new { total = 3, delayMs = 10 }, launcher: "inprocess",
            description: description);

        Assert.Equal(1, _injector.Fired);
        await _client.WaitForStatusAsync(task.Pid, Statuses.Finished);
        Assert.Equal(1, await CountTasksDescribedAsync(description));
    }

    [Fact]
    public async Task LaunchGroup_AfterDeadlocks_StoresEachLaunchOnceAndAnswersEachWithItsOwnTask()
    {
        var leader = $"leader {Guid.NewGuid():N}";
        var descriptions = Enumerable.Range(0, 5).Select(i => $"grouped launch {i} {Guid.NewGuid():N}").ToList();
        api.Hold.Arm(StatementWith("INSERT", "bgtask_tasks", leader), StatementWith("INSERT", "bgtask_tasks", leader));
        var first = _client.LaunchAsync("demo.count", new { total = 3, delayMs = 10 }, launcher: "inprocess", description: leader);
        await Eventually.WithinAsync(api.Hold.Reached.ContinueWith(_ => true), "the leader's INSERT is held");
        var grouped = descriptions.Select(d =>
            _client.LaunchAsync("demo.count", new { total = 3, delayMs = 10 }, launcher: "inprocess", description: d)).ToList();
        var committer = api.Services.GetRequiredService<LaunchCommitter>();
        await Eventually.TrueAsync(() => Task.FromResult(committer.Waiting == descriptions.Count), "the launches wait for the next transaction");
        // A row in the middle of the group deadlocks: the group's whole transaction runs again, its rows before it included.
        _injector.Fail(StatementWith("INSERT", "bgtask_tasks", descriptions[2]), Retries, ServerError.Deadlock);
        api.Hold.Release();

        await first;
        var tasks = await Task.WhenAll(grouped);

        Assert.Equal(Retries, _injector.Fired);
        Assert.Equal(descriptions, tasks.Select(t => t.Description));
        Assert.Equal(descriptions.Count, tasks.Select(t => t.Pid).Distinct().Count());
        foreach (var (task, description) in tasks.Zip(descriptions))
        {
            Assert.Equal(1, await CountTasksDescribedAsync(description));
            Assert.Equal(1, await api.CountAsync("SELECT COUNT(*) FROM bgtask_configs WHERE Pid = @value", task.Pid));
            await _client.WaitForStatusAsync(task.Pid, Statuses.Finished);
        }
    }

    [Fact]
    public async Task SignalConsume_AfterDeadlocks_DeliversEachSignalOnce()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        await _client.SendSignalAsync(task.Pid, "one");
        await _client.SendSignalAsync(task.Pid, "two");
        _injector.Fail(Statement("DELETE", "bgtask_signals", inTransaction: true), Retries, ServerError.Deadlock);

        var read = await _client.ReadSignalsAsync(task.Pid, clean: true);

        Assert.Equal(Retries, _injector.Fired);
        Assert.Equal(["one", "two"], read.Signals.Select(s => s.Signal));
        Assert.Empty((await _client.ReadSignalsAsync(task.Pid, clean: true)).Signals);
        Assert.Equal(0, await api.CountAsync("SELECT COUNT(*) FROM bgtask_signals WHERE Pid = @value", task.Pid));
    }

    [Theory]
    [InlineData(ServerError.LostBeforeCommit)]
    [InlineData(ServerError.LostAfterCommit)]
    public async Task SignalConsume_ConnectionLostAtCommit_DeliversTheSignalOnce(ServerError error)
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        await _client.SendSignalAsync(task.Pid, "stop");
        _injector.Fail(Statement("DELETE", "bgtask_signals", inTransaction: true), 1, error);

        var read = await _client.ReadSignalsAsync(task.Pid, clean: true);

        Assert.Equal(1, _injector.Fired);
        Assert.Equal(["stop"], read.Signals.Select(s => s.Signal));
        Assert.Empty((await _client.ReadSignalsAsync(task.Pid, clean: true)).Signals);
    }

    [Fact]
    public async Task SignalConsume_MoreDeadlocksThanRetries_Returns503AndKeepsTheSignal()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        await _client.SendSignalAsync(task.Pid, "reload");
        _injector.Fail(Statement("DELETE", "bgtask_signals", inTransaction: true), Retries + 1, ServerError.Deadlock);

        var response = await _client.GetAsync($"{Contract.TaskPath(task.Pid)}/signals?clean=true");

        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(Retries + 1, _injector.Fired);
        Assert.Equal(["reload"], (await _client.ReadSignalsAsync(task.Pid, clean: true)).Signals.Select(s => s.Signal));
    }

    [Fact]
    public async Task SignalSend_ConnectionLost_Returns503WithoutSendingItAgain()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        _injector.Fail(Statement("INSERT", "bgtask_signals"), Retries, ServerError.LostConnection);

        var response = await _client.PostSignalAsync(task.Pid, "stop");

        // An INSERT that commits by itself may have been stored when its connection went: it is not run again.
        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(1, _injector.Fired);
        Assert.Empty((await _client.ReadSignalsAsync(task.Pid)).Signals);
    }

    [Fact]
    public async Task ConfigPut_AfterDeadlocks_MovesTheVersionByOne()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        _injector.Fail(Statement("INSERT", "bgtask_configs"), Retries, ServerError.Deadlock);

        var put = await (await _client.PutConfigAsync(task.Pid, new { level = 2 })).ReadAsAsync<ConfigView>();

        Assert.Equal(Retries, _injector.Fired);
        await AssertConfigAtAsync(task.Pid, put, 2);
    }

    [Theory]
    [InlineData(ServerError.LostBeforeCommit)]
    [InlineData(ServerError.LostAfterCommit)]
    public async Task ConfigPut_ConnectionLostAtCommit_MovesTheVersionByOne(ServerError error)
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        _injector.Fail(Statement("INSERT", "bgtask_configs"), 1, error);

        var put = await (await _client.PutConfigAsync(task.Pid, new { level = 3 }, ifMatch: "\"1\"")).ReadAsAsync<ConfigView>();

        Assert.Equal(1, _injector.Fired);
        await AssertConfigAtAsync(task.Pid, put, 2);
    }

    [Fact]
    public async Task ConfigPut_MoreDeadlocksThanRetries_Returns503AndStoresNothing()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        _injector.Fail(Statement("INSERT", "bgtask_configs"), Retries + 1, ServerError.Deadlock);

        var response = await _client.PutConfigAsync(task.Pid, new { level = 4 });

        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal(1, (await _client.GetConfigAsync(task.Pid)).Version);
        Assert.Equal(1, await api.CountAsync("SELECT COUNT(*) FROM bgtask_configs WHERE Pid = @value", task.Pid));
    }

    [Theory]
    [InlineData(ServerError.Deadlock)]
    [InlineData(ServerError.LostAfterCommit)]
    public async Task ReportFlush_AfterTransientErrors_StoresTheReportOnce(ServerError error)
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        var times = error == ServerError.Deadlock ? Retries : 1;
        _injector.Fail(Statement("UPDATE", "bgtask_tasks", inTransaction: true), times, error);

        await _client.ReportStateAsync(task.Pid, new StateReport(10, 7));

        await Eventually.TrueAsync(
            async () => await api.CountAsync("SELECT OpFinished FROM bgtask_tasks WHERE Id = @value", task.Pid) == 7,
            "the buffered report is stored");
        Assert.Equal(times, _injector.Fired);
        Assert.Equal(0, await api.CountAsync(
            "SELECT COUNT(*) - COUNT(DISTINCT At) FROM bgtask_history WHERE Pid = @value", task.Pid));
    }

    [Fact]
    public async Task TaskRead_WhileTheNodeIsNotReady_AnswersOnceItIs()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        _injector.Fail(Statement("SELECT", "bgtask_tasks"), Retries, ServerError.WsrepNotReady);

        var read = await _client.GetTaskAsync(task.Pid);

        Assert.Equal(task.Pid, read.Pid);
        Assert.Equal(Retries, _injector.Fired);
    }

    private Task<long> CountTasksDescribedAsync(string description) =>
        api.CountAsync("SELECT COUNT(*) FROM bgtask_tasks WHERE Description = @value", description);

    private async Task AssertConfigAtAsync(long pid, ConfigView put, int version)
    {
        Assert.Equal(version, put.Version);
        Assert.Equal(version, (await _client.GetConfigAsync(pid)).Version);
        Assert.Equal(version, await api.CountAsync("SELECT COUNT(*) FROM bgtask_configs WHERE Pid = @value", pid));
        Assert.Equal(version, await api.CountAsync("SELECT ConfigVersion FROM bgtask_tasks WHERE Id = @value", pid));
    }
}
