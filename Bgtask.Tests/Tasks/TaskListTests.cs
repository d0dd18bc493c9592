using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Tasks;

/// <summary><c>GET /api/tasks?status=&amp;task=&amp;parent=&amp;limit=&amp;after=</c>. Each test lists only its own records.</summary>
public abstract class TaskListTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private async Task<List<long>> NewRecordsAsync(string task, int count)
    {
        var pids = new List<long>();
        for (var i = 0; i < count; i++) pids.Add((await Client.NewRecordAsync(task)).Pid);
        return pids;
    }

    [Fact]
    public async Task List_IsNewestFirst()
    {
        var name = UniqueName();
        var pids = await NewRecordsAsync(name, 3);

        var page = await Client.ListAsync($"?task={name}");

        Assert.Equal(pids.AsEnumerable().Reverse(), page.Items.Select(t => t.Pid));
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task List_ByTaskName_ReturnsOnlyThatName()
    {
        var name = UniqueName();
        var mine = await Client.NewRecordAsync(name);
        await Client.NewRecordAsync(UniqueName());

        var page = await Client.ListAsync($"?task={name}");

        Assert.Equal([mine.Pid], page.Items.Select(t => t.Pid));
        Assert.Equal(name, page.Items[0].Task);
    }

    [Fact]
    public async Task List_ByTaskName_MatchesCaseExactly()
    {
        var name = UniqueName("Demo.Count");
        var mine = await Client.NewRecordAsync(name);
        var lower = await Client.NewRecordAsync(name.ToLowerInvariant());

        Assert.Equal([mine.Pid], (await Client.ListAsync($"?task={name}")).Items.Select(t => t.Pid));
        Assert.Equal([lower.Pid], (await Client.ListAsync($"?task={name.ToLowerInvariant()}")).Items.Select(t => t.Pid));
        Assert.Empty((await Client.ListAsync($"?task={name.ToUpperInvariant()}")).Items);
    }

    [Fact]
    public async Task List_ByTaskName_TellsATrailingSpaceApart()
    {
        var name = UniqueName();
        var plain = await Client.NewRecordAsync(name);
        var spaced = await Client.NewRecordAsync(name + " ");

        Assert.Equal([plain.Pid], (await Client.ListAsync($"?task={name}")).Items.Select(t => t.Pid));
        Assert.Equal([spaced.Pid], (await Client.ListAsync($"?task={Uri.EscapeDataString(name + " ")}")).Items.Select(t => t.Pid));
        Assert.Empty((await Client.ListAsync($"?task={Uri.EscapeDataString(name + "  ")}")).Items);
    }

    [Fact]
    public async Task List_ByStatus_ReturnsOnlyThatStatus()
    {
        var name = UniqueName();
        var pending = await Client.RecordInStatusAsync(Statuses.Pending, name);
        var running = await Client.RecordInStatusAsync(Statuses.Running, name);
        var finished = await Client.RecordInStatusAsync(Statuses.Finished, name);

        Assert.Equal([running.Pid], (await Client.ListAsync($"?task={name}&status=running")).Items.Select(t => t.Pid));
        Assert.Equal([finished.Pid, pending.Pid],
            (await Client.ListAsync($"?task={name}&status=pending,finished")).Items.Select(t => t.Pid));
        Assert.Empty((await Client.ListAsync($"?task={name}&status=error")).Items);
    }

    [Fact]
    public async Task List_EveryStatusName_IsAcceptedAsAFilter()
    {
        var name = UniqueName();
        foreach (var status in new[]
                 {
                     Statuses.Pending, Statuses.Running, Statuses.Sleeping, Statuses.Stopped, Statuses.Finished,
                     Statuses.Error,
                 })
        {
            var task = await Client.RecordInStatusAsync(status, name);
            var page = await Client.ListAsync($"?task={name}&status={status}");
            Assert.Equal([task.Pid], page.Items.Select(t => t.Pid));
            Assert.Equal(status, page.Items[0].Status);
        }
    }

    [Fact]
    public async Task List_ByParent_ReturnsItsChildren()
    {
        var parent = await Client.NewRecordAsync();
        var first = await Client.NewRecordAsync(parent: parent.Pid);
        var second = await Client.NewRecordAsync(parent: parent.Pid);
        await Client.NewRecordAsync();

        var page = await Client.ListAsync($"?parent={parent.Pid}");

        Assert.Equal([second.Pid, first.Pid], page.Items.Select(t => t.Pid));
    }

    [Fact]
    public async Task List_WithoutLimit_Returns50AndANextPage()
    {
        var name = UniqueName();
        var pids = await NewRecordsAsync(name, 51);

        var page = await Client.ListAsync($"?task={name}");

        Assert.Equal(50, page.Items.Count);
        Assert.Equal(pids[1], page.Items[^1].Pid);
        Assert.Equal(pids[1], page.Next);
        var rest = await Client.ListAsync($"?task={name}&after={page.Next}");
        Assert.Equal([pids[0]], rest.Items.Select(t => t.Pid));
        Assert.Null(rest.Next);
    }

    [Fact]
    public async Task List_PagedWithAfterAndNext_VisitsEveryTaskOnceNewestFirst()
    {
        var name = UniqueName();
        var pids = await NewRecordsAsync(name, 7);

        var seen = new List<long>();
        long? after = null;
        var pages = 0;
        do
        {
            var page = await Client.ListAsync($"?task={name}&limit=3{(after is null ? "" : $"&after={after}")}");
            Assert.InRange(page.Items.Count, 1, 3);
            seen.AddRange(page.Items.Select(t => t.Pid));
            after = page.Next;
            pages++;
        } while (after is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(pids.AsEnumerable().Reverse(), seen);
    }

    [Fact]
    public async Task List_LimitEqualToTheCount_HasNoNextPage()
    {
        var name = UniqueName();
        await NewRecordsAsync(name, 2);
        var page = await Client.ListAsync($"?task={name}&limit=2");
        Assert.Equal(2, page.Items.Count);
        Assert.Null(page.Next);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(500)]
    public async Task List_LimitAtTheBounds_IsAccepted(int limit)
    {
        var name = UniqueName();
        await NewRecordsAsync(name, 2);
        var page = await Client.ListAsync($"?task={name}&limit={limit}");
        Assert.Equal(Math.Min(limit, 2), page.Items.Count);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("501")]
    public async Task List_LimitOutOfRange_Returns400(string limit) =>
        await (await Client.GetAsync($"/api/tasks?limit={limit}")).ReadValidationProblemAsync("limit");

    [Theory]
    [InlineData("bogus")]
    [InlineData("1")]
    [InlineData("running,bogus")]
    [InlineData(",")]
    [InlineData("Running")]
    [InlineData("PENDING")]
    public async Task List_UnknownStatus_Returns400(string status) =>
        await (await Client.GetAsync($"/api/tasks?status={status}")).ReadValidationProblemAsync("status");

    [Theory]
    [InlineData("limit=abc")]
    [InlineData("limit=99999999999")]
    [InlineData("after=abc")]
    [InlineData("parent=abc")]
    public async Task List_UnparsableNumber_Returns400(string query) =>
        await (await Client.GetAsync($"/api/tasks?{query}")).ReadProblemAsync(System.Net.HttpStatusCode.BadRequest);
}

public sealed class TaskListTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : TaskListTests<SqliteTarget>(api);

public sealed class TaskListTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : TaskListTests<MariaDbTarget>(api);

public sealed class TaskListTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : TaskListTests<MariaDbMemoryTarget>(api);
