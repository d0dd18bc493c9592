using System.Net;
using System.Text.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Events;

public sealed record LogEventView(long Pid, List<LogLineView> Items);

public sealed record SnapshotView(List<TaskView> Items);

/// <summary><c>GET /api/tasks/events</c> and <c>GET /api/tasks/{pid}/events</c>: live changes, resumable by id.</summary>
public sealed class EventTests(BgtaskApiFactory<SqliteTarget> api) : ApiTests<SqliteTarget>(api)
{
    private static string Events(long pid) => $"/api/tasks/{pid}/events";

    [Fact]
    public async Task TaskStream_StartsWithASnapshot_ThenSendsTransitionProgressAndLogLines()
    {
        var record = await Client.NewRecordAsync();
        await using var events = await EventReader.OpenAsync(Client, Events(record.Pid));
        Assert.Equal(HttpStatusCode.OK, events.Response.StatusCode);
        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);

        var snapshot = (await events.NextAsync())!;
        Assert.Equal("snapshot", snapshot.Type);
        Assert.Equal(Statuses.Pending, Assert.Single(snapshot.As<SnapshotView>().Items).Status);

        await Client.MoveAsync(record.Pid, "started");
        var started = (await events.NextAsync())!;
        Assert.Equal("task", started.Type);
        Assert.Equal(Statuses.Running, started.As<TaskView>().Status);

        await Client.ReportStateAsync(record.Pid, new StateReport(100, 25, Memory: 1024));
        var progress = (await events.NextAsync())!.As<TaskView>();
        Assert.Equal((100L, 25L, 1024L), (progress.OpTotal, progress.OpFinished, progress.Memory));

        await Client.AppendLogAsync(record.Pid, "hello", "world");
        var log = (await events.NextAsync())!;
        Assert.Equal("log", log.Type);
        Assert.Equal([(1L, "hello"), (2L, "world")], log.As<LogEventView>().Items.Select(l => (l.Seq, l.Line)));
        Assert.NotEqual(started.Id, log.Id);
    }

    [Fact]
    public async Task TaskStream_EndsAfterTheTerminalEvent()
    {
        var record = await Client.RecordInStatusAsync(Statuses.Running);
        await using var events = await EventReader.OpenAsync(Client, Events(record.Pid));
        Assert.Equal("snapshot", (await events.NextAsync())!.Type);

        await Client.MoveAsync(record.Pid, "finished");

        Assert.Equal(Statuses.Finished, (await events.NextAsync())!.As<TaskView>().Status);
        Assert.Null(await events.NextAsync());
    }

    [Fact]
    public async Task TaskStream_OfAnEndedTask_SendsItsSnapshotAndEnds()
    {
        var record = await Client.RecordInStatusAsync(Statuses.Error);
        await using var events = await EventReader.OpenAsync(Client, Events(record.Pid));

        Assert.Equal(Statuses.Error, Assert.Single((await events.NextAsync())!.As<SnapshotView>().Items).Status);
        Assert.Null(await events.NextAsync());
    }

    [Fact]
    public async Task TaskStream_OfAnUnknownPid_Returns404()
    {
        var response = await Client.GetAsync(Events(long.MaxValue - 7));
        await response.ShouldBeAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AllTasksStream_SendsNewRecordsAndTheirChanges()
    {
        await using var events = await EventReader.OpenAsync(Client, "/api/tasks/events");
        var name = UniqueName();
        var record = await Client.NewRecordAsync(name);
        await Client.MoveAsync(record.Pid, "started");

        var seen = new List<TaskView>();
        while (seen.Count < 2)
        {
            var e = await events.NextOfAsync("task");
            if (e.As<TaskView>() is { } t && t.Task == name) seen.Add(t);
        }
        Assert.Equal([Statuses.Pending, Statuses.Running], seen.Select(t => t.Status));
    }

    [Fact]
    public async Task Resume_WithLastEventId_GetsExactlyTheMissedEvents()
    {
        var record = await Client.RecordInStatusAsync(Statuses.Running);
        await using var watcher = await EventReader.OpenAsync(Client, Events(record.Pid));
        Assert.Equal("snapshot", (await watcher.NextAsync())!.Type);

        await Client.ReportStateAsync(record.Pid, new StateReport(10, 1));
        var seenBeforeDisconnect = (await watcher.NextAsync())!;
        // While "disconnected": a progress report, a log line and a pause.
        await Client.ReportStateAsync(record.Pid, new StateReport(10, 2));
        await Client.AppendLogAsync(record.Pid, "missed line");
        await Client.ReportStateAsync(record.Pid, new StateReport(10, 3, Statuses.Sleeping));
        var missed = new[] { (await watcher.NextAsync())!, (await watcher.NextAsync())!, (await watcher.NextAsync())! };

        await using var resumed = await EventReader.OpenAsync(Client, Events(record.Pid), seenBeforeDisconnect.Id);
        var replayed = new[] { (await resumed.NextAsync())!, (await resumed.NextAsync())!, (await resumed.NextAsync())! };
        Assert.Equal(missed, replayed);
        Assert.Equal(["task", "log", "task"], replayed.Select(e => e.Type));

        await Client.ReportStateAsync(record.Pid, new StateReport(10, 4, Statuses.Running));
        Assert.Equal(4, (await resumed.NextAsync())!.As<TaskView>().OpFinished);
    }

    [Fact]
    public async Task Resume_WithAnIdItCannotResumeFrom_StartsWithASnapshot()
    {
        var name = UniqueName();
        var record = await Client.NewRecordAsync(name);
        await using var events = await EventReader.OpenAsync(Client, "/api/tasks/events", "another-replica.42");

        var snapshot = (await events.NextAsync())!;
        Assert.Equal("snapshot", snapshot.Type);
        Assert.Contains(snapshot.As<SnapshotView>().Items, t => t.Pid == record.Pid);
        Assert.NotNull(snapshot.Id);
        using var doc = JsonDocument.Parse(snapshot.Data);
        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("items").ValueKind);
    }
}
