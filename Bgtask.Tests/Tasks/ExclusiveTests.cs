using System.Net;
using System.Net.Http.Json;
using Bgtask.Api.Notifications;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.Tasks;

/// <summary>
/// <c>exclusive</c> on launches and records (the original's cron lock): one live task per key, a 409 naming the
/// holder for the others, exactly one winner among concurrent requests, and the key free again however the
/// holder ends.
/// </summary>
public abstract class ExclusiveTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private static string UniqueKey() => $"key:{Guid.NewGuid():N}";

    private Task<HttpResponseMessage> PostRecordAsync(string task, object? exclusive) =>
        Client.PostAsJsonAsync("/api/tasks/records", new NewRecord("exclusive test", task, Exclusive: exclusive),
            Contract.Json);

    private Task<HttpResponseMessage> PostLaunchAsync(object? exclusive, string launcher = "inprocess") =>
        Client.PostAsJsonAsync("/api/tasks",
            new { task = "demo.count", launcher, config = new { total = 1_000_000, delayMs = 50 }, exclusive }, Contract.Json);

    private async Task<TaskView> RecordAsync(string task, object? exclusive) =>
        await (await PostRecordAsync(task, exclusive)).ReadAsAsync<TaskView>(HttpStatusCode.Created);

    /// <summary>Asserts a 409 whose problem details name <paramref name="holder"/> as <c>pid</c>.</summary>
    private static async Task ShouldBeHeldByAsync(HttpResponseMessage response, long holder)
    {
        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(holder, problem.Pid);
    }

    [Fact]
    public async Task Record_WithAKey_ShowsTheKeyAndWithTrueTheTaskName()
    {
        var name = UniqueName();
        var key = UniqueKey();

        Assert.Equal(key, (await RecordAsync(UniqueName(), key)).Exclusive);
        Assert.Equal(name, (await RecordAsync(name, true)).Exclusive);
        Assert.Null((await RecordAsync(UniqueName(), false)).Exclusive);
        Assert.Null((await Client.NewRecordAsync(UniqueName())).Exclusive);
    }

    [Fact]
    public async Task Record_KeyHeldByALiveTask_Returns409NamingTheHolder()
    {
        var name = UniqueName();
        var holder = await RecordAsync(name, true);

        await ShouldBeHeldByAsync(await PostRecordAsync(name, true), holder.Pid);
        await ShouldBeHeldByAsync(await PostRecordAsync(UniqueName(), name), holder.Pid);
        // Nothing was stored for the refused ones.
        Assert.Equal([holder.Pid], (await Client.ListAsync($"?task={name}")).Items.Select(t => t.Pid));
    }

    [Fact]
    public async Task Launch_KeyHeldByARecord_Returns409NamingTheHolder()
    {
        var key = UniqueKey();
        var holder = await RecordAsync(UniqueName(), key);

        await ShouldBeHeldByAsync(await PostLaunchAsync(key), holder.Pid);
    }

    [Fact]
    public async Task Launch_KeyHeldByARunningLaunch_Returns409UntilItIsKilled()
    {
        var key = UniqueKey();
        var first = await (await PostLaunchAsync(key)).ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
        Assert.Equal(key, first.Exclusive);

        await ShouldBeHeldByAsync(await PostLaunchAsync(key), first.Pid);
        await ShouldBeHeldByAsync(await PostRecordAsync(UniqueName(), key), first.Pid);

        await (await Client.CallAsync(first.Pid, "kill")).ShouldBeAsync(HttpStatusCode.OK);
        var second = await (await PostLaunchAsync(key)).ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
        Assert.Equal(key, second.Exclusive);
        Assert.Equal(key, (await Client.GetTaskAsync(first.Pid)).Exclusive);
        await (await Client.CallAsync(second.Pid, "kill")).ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Keys_AreExact_CaseAndNamesApart()
    {
        var key = UniqueKey();
        await RecordAsync(UniqueName(), key);

        Assert.Equal(key.ToUpperInvariant(), (await RecordAsync(UniqueName(), key.ToUpperInvariant())).Exclusive);
        Assert.Equal(key + ".x", (await RecordAsync(UniqueName(), key + ".x")).Exclusive);
    }

    [Theory]
    [InlineData(Statuses.Pending, "finished")]
    [InlineData(Statuses.Running, "finished")]
    [InlineData(Statuses.Running, "stopped")]
    [InlineData(Statuses.Sleeping, "error")]
    [InlineData(Statuses.Pending, "kill")]
    [InlineData(Statuses.Running, "kill")]
    public async Task HolderEnds_TheKeyIsFreeAgain(string status, string ending)
    {
        var key = UniqueKey();
        var holder = await RecordAsync(UniqueName(), key);
        if (status != Statuses.Pending) await Client.MoveAsync(holder.Pid, "started");
        if (status == Statuses.Sleeping) await Client.ReportStateAsync(holder.Pid, new Client.StateReport(10, 1, Statuses.Sleeping));
        await ShouldBeHeldByAsync(await PostRecordAsync(UniqueName(), key), holder.Pid);

        await (await Client.CallAsync(holder.Pid, ending)).ShouldBeAsync(HttpStatusCode.OK);

        var next = await RecordAsync(UniqueName(), key);
        Assert.Equal(key, next.Exclusive);
        // The ended holder still shows the key it ran with.
        Assert.Equal(key, (await Client.GetTaskAsync(holder.Pid)).Exclusive);
    }

    [Fact]
    public async Task HolderWorkerLost_TheKeyIsFreeAgain()
    {
        var key = UniqueKey();
        var holder = await Client.MoveAsync((await RecordAsync(UniqueName(), key)).Pid, "started");

        Assert.True(await Factory.Services.GetRequiredService<RunnerCalls>().LostAsync(holder.Pid, "worker lost"));

        Assert.Equal(Statuses.Error, (await Client.GetTaskAsync(holder.Pid)).Status);
        Assert.Equal(key, (await RecordAsync(UniqueName(), key)).Exclusive);
    }

    [Fact]
    public async Task HolderSilentPastItsHeartbeat_TheKeyIsFreeAgain()
    {
        var key = UniqueKey();
        var holder = await Client.MoveAsync((await RecordAsync(UniqueName(), key)).Pid, "started");

        // The supervisor's own statement, with a cutoff past the holder's last heartbeat.
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            var change = await db.ExpireAsync(holder.Pid, DateTime.UtcNow.AddMinutes(1), "worker lost (no heartbeat)",
                DateTime.UtcNow, CancellationToken.None);
            Assert.Equal(ChangeOutcome.Changed, change.Outcome);
        }

        Assert.Equal(key, (await RecordAsync(UniqueName(), key)).Exclusive);
    }

    [Fact]
    public async Task HolderRemoved_TheKeyIsFreeAndTheNewHolderKeepsIt()
    {
        var key = UniqueKey();
        var first = await RecordAsync(UniqueName(), key);
        await Client.MoveAsync(first.Pid, "finished");
        var second = await RecordAsync(UniqueName(), key);

        await (await Client.DeleteAsync(Contract.TaskPath(first.Pid))).ShouldBeAsync(HttpStatusCode.NoContent);

        await ShouldBeHeldByAsync(await PostRecordAsync(UniqueName(), key), second.Pid);
    }

    [Fact]
    public async Task ConcurrentRecords_WithOneKey_ExactlyOneWinsAndTheOthersNameIt()
    {
        var name = UniqueName();
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => PostRecordAsync(name, true)));

        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        var winner = await Assert.Single(winners).ReadAsAsync<TaskView>(HttpStatusCode.Created);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
            await ShouldBeHeldByAsync(loser, winner.Pid);
        Assert.Equal([winner.Pid], (await Client.ListAsync($"?task={name}")).Items.Select(t => t.Pid));
        await AssertNoConfigWithoutATaskAsync();
    }

    [Fact]
    public async Task ConcurrentLaunches_WithOneKey_ExactlyOneWinsAndTheOthersNameIt()
    {
        var key = UniqueKey();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostLaunchAsync(key)));

        var winner = await Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted)
            .ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
        try
        {
            foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.Accepted))
                await ShouldBeHeldByAsync(loser, winner.Pid);
            await AssertNoConfigWithoutATaskAsync();
        }
        finally
        {
            await Client.CallAsync(winner.Pid, "kill");
        }
    }

    [Theory]
    [InlineData("\"has space\"")]
    [InlineData("\"\"")]
    [InlineData("\"semi;colon\"")]
    [InlineData("42")]
    [InlineData("{}")]
    [InlineData("\"ünïcode\"")]
    public async Task Exclusive_NotAKey_Returns400(string exclusive)
    {
        await (await Client.PostAsync("/api/tasks/records",
            Contract.JsonText($$"""{"description":"x","exclusive":{{exclusive}}}"""))).ReadValidationProblemAsync("exclusive");
        await (await Client.PostAsync("/api/tasks",
            Contract.JsonText($$"""{"task":"demo.count","exclusive":{{exclusive}}}"""))).ReadValidationProblemAsync("exclusive");
    }

    [Fact]
    public async Task Exclusive_KeyOf200Characters_IsAcceptedAnd201IsNot()
    {
        var key = UniqueKey();
        var longest = key + new string('k', 200 - key.Length);
        Assert.Equal(longest, (await RecordAsync(UniqueName(), longest)).Exclusive);
        await (await PostRecordAsync(UniqueName(), longest + "k")).ReadValidationProblemAsync("exclusive");
    }

    [Fact]
    public async Task Exclusive_TrueOnARecordWhoseNameIsNotAKey_Returns400()
    {
        await (await PostRecordAsync("name with spaces", true)).ReadValidationProblemAsync("exclusive");
    }

    /// <summary>A refused insert leaves nothing behind (its config row included).</summary>
    private async Task AssertNoConfigWithoutATaskAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        Assert.False(await db.Configs.AnyAsync(c => !db.Tasks.Any(t => t.Id == c.Pid)), "a config row outlived its task");
    }
}

public sealed class ExclusiveTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : ExclusiveTests<SqliteTarget>(api);

public sealed class ExclusiveTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : ExclusiveTests<MariaDbTarget>(api);

public sealed class ExclusiveTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : ExclusiveTests<MariaDbMemoryTarget>(api);

/// <summary>The API with one runner slot, so a second launch stays queued (pending, no runner).</summary>
public sealed class OneRunnerApiFactory<TTarget> : BgtaskApiFactory<TTarget> where TTarget : IStorageTarget
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("Tasks:MaxRunning", "1")];
}

/// <summary>A queued launch holds its key too, and frees it when it is stopped before it ever started.</summary>
public abstract class ExclusiveQueueTests<TTarget>(OneRunnerApiFactory<TTarget> api)
    : IClassFixture<OneRunnerApiFactory<TTarget>> where TTarget : IStorageTarget
{
    private readonly HttpClient _client = api.CreateClient();

    private Task<HttpResponseMessage> LaunchAsync(string key) =>
        _client.PostAsJsonAsync("/api/tasks",
            new { task = "demo.count", launcher = "inprocess", config = new { total = 1_000_000, delayMs = 50 }, exclusive = key },
            Contract.Json);

    [Fact]
    public async Task QueuedHolderStopped_TheKeyIsFreeAgain()
    {
        var running = await (await LaunchAsync($"run:{Guid.NewGuid():N}")).ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
        var key = $"queued:{Guid.NewGuid():N}";
        try
        {
            var queued = await (await LaunchAsync(key)).ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
            Assert.Equal(Statuses.Pending, queued.Status);
            Assert.Equal(queued.Pid, (await (await LaunchAsync(key)).ReadProblemAsync(HttpStatusCode.Conflict)).Pid);

            await _client.SendSignalAsync(queued.Pid, "stop");

            Assert.Equal(Statuses.Stopped, (await _client.GetTaskAsync(queued.Pid)).Status);
            var next = await (await LaunchAsync(key)).ReadAsAsync<TaskView>(HttpStatusCode.Accepted);
            await (await _client.CallAsync(next.Pid, "kill")).ShouldBeAsync(HttpStatusCode.OK);
        }
        finally
        {
            await _client.CallAsync(running.Pid, "kill");
        }
    }
}

public sealed class ExclusiveQueueTests_Sqlite(OneRunnerApiFactory<SqliteTarget> api) : ExclusiveQueueTests<SqliteTarget>(api);

public sealed class ExclusiveQueueTests_MariaDb(OneRunnerApiFactory<MariaDbTarget> api) : ExclusiveQueueTests<MariaDbTarget>(api);

public sealed class ExclusiveQueueTests_MariaDbMemory(OneRunnerApiFactory<MariaDbMemoryTarget> api)
    : ExclusiveQueueTests<MariaDbMemoryTarget>(api);
