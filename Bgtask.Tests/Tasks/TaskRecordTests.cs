using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Tasks;

/// <summary><c>POST /api/tasks/records</c>, <c>GET /api/tasks/{pid}</c>, <c>/live</c> and <c>DELETE</c>.</summary>
public abstract class TaskRecordTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    [Fact]
    public async Task CreateRecord_Returns201WithAPendingExternalTask()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var response = await Client.PostAsJsonAsync("/api/tasks/records",
            new NewRecord("Nightly import from cron", "import.nightly"), Contract.Json);

        var task = await response.ReadAsAsync<TaskView>(HttpStatusCode.Created);
        Assert.True(task.Pid > 0);
        Assert.Equal($"/api/tasks/{task.Pid}", response.Headers.Location?.OriginalString);
        Assert.Equal("import.nightly", task.Task);
        Assert.Equal("Nightly import from cron", task.Description);
        Assert.Equal("external", task.Launcher);
        Assert.Equal(Statuses.Pending, task.Status);
        Assert.Null(task.Parent);
        Assert.Equal(0, task.OpTotal);
        Assert.Equal(0, task.OpFinished);
        Assert.Equal(0, task.Progress);
        Assert.Null(task.Message);
        Assert.InRange(task.CreatedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Null(task.StartedAt);
        Assert.Null(task.FinishedAt);
        Assert.Null(task.RuntimeSeconds);
        Assert.Null(task.EtaSeconds);
        Assert.True(task.Live);
    }

    [Fact]
    public async Task CreateRecord_WithoutTaskName_IsNamedExternal()
    {
        var task = await Client.NewRecordAsync();
        Assert.Equal("external", task.Task);
    }

    [Fact]
    public async Task CreateRecord_Twice_GetsDifferentPids()
    {
        var first = await Client.NewRecordAsync();
        var second = await Client.NewRecordAsync();
        Assert.True(second.Pid > first.Pid);
    }

    [Fact]
    public async Task CreateRecord_WithKnownParent_KeepsIt()
    {
        var parent = await Client.NewRecordAsync();
        var child = await Client.NewRecordAsync(parent: parent.Pid);
        Assert.Equal(parent.Pid, child.Parent);
        Assert.Equal(parent.Pid, (await Client.GetTaskAsync(child.Pid)).Parent);
    }

    [Theory]
    [InlineData(long.MaxValue - 1)]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task CreateRecord_WithUnknownParent_Returns400(long parent)
    {
        var response = await Client.PostAsJsonAsync("/api/tasks/records", new NewRecord("orphan", Parent: parent),
            Contract.Json);
        await response.ReadValidationProblemAsync("parent");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task CreateRecord_WithoutDescription_Returns400(string? description)
    {
        var response = await Client.PostAsJsonAsync("/api/tasks/records", new NewRecord(description), Contract.Json);
        await response.ReadValidationProblemAsync("description");
    }

    [Fact]
    public async Task CreateRecord_WithDescriptionOverTheLimit_Returns400()
    {
        var response = await Client.PostAsJsonAsync("/api/tasks/records", new NewRecord(new string('d', 1001)), Contract.Json);
        await response.ReadValidationProblemAsync("description");
    }

    [Fact]
    public async Task CreateRecord_WithDescriptionAtTheLimit_KeepsItWhole()
    {
        var description = string.Concat(Enumerable.Repeat("ü€🚀", 250)); // 1,000 UTF-16 chars, multi-byte in UTF-8
        var task = await Client.NewRecordAsync(description: description);
        Assert.Equal(description, (await Client.GetTaskAsync(task.Pid)).Description);
    }

    [Fact]
    public async Task GetTask_ReturnsTheRecordAsCreated()
    {
        var created = await Client.NewRecordAsync(UniqueName());
        var read = await Client.GetTaskAsync(created.Pid);
        Assert.Equal(created, read with { CreatedAt = created.CreatedAt });
        // Storage may round a time to microseconds, never by more.
        Assert.Equal(created.CreatedAt, read.CreatedAt, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task GetTask_WritesEveryContractFieldInCamelCaseWithUtcTimes()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        using var json = JsonDocument.Parse(await Client.GetStringAsync(Contract.TaskPath(task.Pid)));

        string[] fields =
        [
            "pid", "task", "description", "launcher", "parent", "status", "opTotal", "opFinished", "progress",
            "memory", "memoryPeak", "message", "createdAt", "startedAt", "finishedAt", "heartbeatAt",
            "runtimeSeconds", "rate", "etaSeconds", "live", "node", "frozen", "exclusive",
        ];
        Assert.Equal(fields.Order(), json.RootElement.EnumerateObject().Select(p => p.Name).Order());
        foreach (var time in new[] { "createdAt", "startedAt", "heartbeatAt" })
        {
            var text = json.RootElement.GetProperty(time).GetString();
            Assert.NotNull(text);
            Assert.EndsWith("Z", text);
        }
        Assert.Equal("running", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("external", json.RootElement.GetProperty("launcher").GetString());
    }

    [Fact]
    public async Task IsLive_PendingRecord_IsTrue()
    {
        var task = await Client.NewRecordAsync();
        var live = await (await Client.GetAsync($"{Contract.TaskPath(task.Pid)}/live")).ReadAsAsync<LiveView>();
        Assert.Equal(new LiveView(task.Pid, true), live);
    }

    [Theory]
    [InlineData(Statuses.Finished)]
    [InlineData(Statuses.Stopped)]
    [InlineData(Statuses.Error)]
    public async Task IsLive_TerminalTask_IsFalse(string status)
    {
        var task = await Client.RecordInStatusAsync(status);
        var live = await (await Client.GetAsync($"{Contract.TaskPath(task.Pid)}/live")).ReadAsAsync<LiveView>();
        Assert.Equal(new LiveView(task.Pid, false), live);
        Assert.False((await Client.GetTaskAsync(task.Pid)).Live);
    }

    [Fact]
    public async Task Delete_TerminalTask_Returns204AndRemovesEverythingOfIt()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(task.Pid, "a line");
        await Client.SendSignalAsync(task.Pid, "sleep");
        await Client.MoveAsync(task.Pid, "finished");

        var response = await Client.DeleteAsync(Contract.TaskPath(task.Pid));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var path in new[] { "", "/live", "/config", "/log", "/signals" })
            await (await Client.GetAsync(Contract.TaskPath(task.Pid) + path)).ReadProblemAsync(HttpStatusCode.NotFound);
        await (await Client.DeleteAsync(Contract.TaskPath(task.Pid))).ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(Statuses.Pending)]
    [InlineData(Statuses.Running)]
    [InlineData(Statuses.Sleeping)]
    public async Task Delete_LiveTask_Returns409AndKeepsIt(string status)
    {
        var task = await Client.RecordInStatusAsync(status);
        await (await Client.DeleteAsync(Contract.TaskPath(task.Pid))).ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal(status, (await Client.GetTaskAsync(task.Pid)).Status);
    }

    [Fact]
    public async Task Delete_DoesNotTouchOtherTasks()
    {
        var keep = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(keep.Pid, "kept");
        var remove = await Client.RecordInStatusAsync(Statuses.Finished);

        await (await Client.DeleteAsync(Contract.TaskPath(remove.Pid))).ShouldBeAsync(HttpStatusCode.NoContent);

        Assert.Equal(Statuses.Running, (await Client.GetTaskAsync(keep.Pid)).Status);
        Assert.Equal(["kept"], (await Client.ReadLogAsync(keep.Pid)).Items.Select(l => l.Line));
    }
}

public sealed class TaskRecordTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : TaskRecordTests<SqliteTarget>(api);

public sealed class TaskRecordTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : TaskRecordTests<MariaDbTarget>(api);

public sealed class TaskRecordTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : TaskRecordTests<MariaDbMemoryTarget>(api);
