using System.Net;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.History;

/// <summary>The API with a small history: report points 20 ms apart at first, at most 8 points a task.</summary>
public sealed class HistoryApiFactory<TTarget> : BgtaskApiFactory<TTarget> where TTarget : IStorageTarget
{
    public const int MaxPoints = 8;

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("History:MinInterval", "00:00:00.020"),
        new("History:MaxPoints", MaxPoints.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

public sealed record HistoryPointView(DateTime At, long OpFinished, long OpTotal, long Memory, string Status);

public sealed record HistoryView(long Pid, IReadOnlyList<HistoryPointView> Points);

/// <summary><c>GET /api/tasks/{pid}/history</c>: bounded, thinned, ordered, status points kept, deleted with the task.</summary>
public abstract class HistoryTests<TTarget>(HistoryApiFactory<TTarget> api) : IClassFixture<HistoryApiFactory<TTarget>>
    where TTarget : IStorageTarget
{
    private const int Max = HistoryApiFactory<TTarget>.MaxPoints;
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    private HttpClient Client { get; } = api.CreateClient();

    [Fact]
    public async Task History_UnknownPid_Returns404()
    {
        var problem = await (await Client.GetAsync("/api/tasks/987654321/history")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(404, problem.Status);
    }

    [Fact]
    public async Task History_NewRecord_HasItsPendingPoint()
    {
        var record = await Client.NewRecordAsync();

        var history = await ReadHistoryAsync(record.Pid);

        Assert.Equal(record.Pid, history.Pid);
        var point = Assert.Single(history.Points);
        Assert.Equal((Statuses.Pending, 0L, 0L), (point.Status, point.OpFinished, point.Memory));
    }

    [Fact]
    public async Task History_EachStatusChange_LeavesAPoint_OldestFirst()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.ReportStateAsync(task.Pid, new StateReport(10, 3, Statuses.Sleeping, Memory: 300));
        await Client.ReportStateAsync(task.Pid, new StateReport(10, 4, Statuses.Running, Memory: 400));
        await Client.ReportStateAsync(task.Pid, new StateReport(10, 7, Memory: 700));
        await Client.MoveAsync(task.Pid, "finished");

        var history = await ReadHistoryAsync(task.Pid);

        AssertOrdered(history);
        Assert.Equal([Statuses.Pending, Statuses.Running, Statuses.Sleeping, Statuses.Running, Statuses.Finished],
            Collapsed(history));
        var sleeping = history.Points.First(p => p.Status == Statuses.Sleeping);
        Assert.Equal((3L, 10L, 300L), (sleeping.OpFinished, sleeping.OpTotal, sleeping.Memory));
        // The ending carries the report still buffered when it came.
        var last = history.Points[^1];
        Assert.Equal((Statuses.Finished, 7L, 700L), (last.Status, last.OpFinished, last.Memory));
    }

    [Fact]
    public async Task History_LongRun_StaysWithinTheCap_CoversTheWholeLife_AndKeepsItsStatusPoints()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.ReportStateAsync(task.Pid, new StateReport(1_000_000, 1, Statuses.Sleeping));
        await Client.ReportStateAsync(task.Pid, new StateReport(1_000_000, 1, Statuses.Running));
        var seen = new HashSet<DateTime>();
        long op = 1;

        // More distinct points than the cap come and go while no read ever shows more than the cap: older ones were
        // thinned, and the series still starts at the task's creation.
        await Eventually.TrueAsync(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                op++;
                await Client.ReportStateAsync(task.Pid, new StateReport(1_000_000, op, Memory: op * 1024));
                await Task.Delay(10);
            }
            var history = await ReadHistoryAsync(task.Pid);
            Assert.InRange(history.Points.Count, 1, Max);
            AssertOrdered(history);
            Assert.Equal(Statuses.Pending, history.Points[0].Status);
            seen.UnionWith(history.Points.Select(p => p.At));
            return seen.Count > Max + 2;
        }, "more points than the cap were written", Long);
        await Client.MoveAsync(task.Pid, "finished");

        var final = await ReadHistoryAsync(task.Pid);

        Assert.InRange(final.Points.Count, 1, Max);
        AssertOrdered(final);
        Assert.Equal([Statuses.Pending, Statuses.Running, Statuses.Sleeping, Statuses.Running, Statuses.Finished],
            Collapsed(final));
        Assert.Contains(final.Points, p => p.Status == Statuses.Running && p.OpFinished > 1);
        Assert.Equal((op, op * 1024), (final.Points[^1].OpFinished, final.Points[^1].Memory));
    }

    [Fact]
    public async Task History_MoreStatusChangesThanTheCap_KeepsTheFirstPointAndTheNewestChanges()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        for (var i = 1; i <= 12; i++)
        {
            await Client.ReportStateAsync(task.Pid, new StateReport(100, i, Statuses.Sleeping));
            await Client.ReportStateAsync(task.Pid, new StateReport(100, i, Statuses.Running));
        }
        await Client.ReportStateAsync(task.Pid, new StateReport(100, 50));
        await Client.MoveAsync(task.Pid, "finished");

        var history = await ReadHistoryAsync(task.Pid);

        Assert.InRange(history.Points.Count, 3, Max);
        AssertOrdered(history);
        var statuses = Collapsed(history);
        Assert.Equal(Statuses.Pending, statuses[0]);
        Assert.Equal([Statuses.Sleeping, Statuses.Running, Statuses.Finished], statuses[^3..]);
        // The changes kept are the newest: the last toggle's, not the first ones'.
        Assert.Equal(12, history.Points.Where(p => p.Status == Statuses.Sleeping).Max(p => p.OpFinished));
        Assert.DoesNotContain(history.Points, p => p.Status == Statuses.Sleeping && p.OpFinished < 12 - Max);
    }

    [Fact]
    public async Task RemovingATask_DeletesItsHistory()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Finished);
        Assert.NotEmpty((await ReadHistoryAsync(task.Pid)).Points);

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(Contract.TaskPath(task.Pid))).StatusCode);

        await (await Client.GetAsync($"{Contract.TaskPath(task.Pid)}/history")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await StoredPointsAsync(task.Pid));
    }

    [Fact]
    public async Task Retention_DeletesTheHistoryWithTheTask()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Stopped);
        Assert.NotEqual(0, await StoredPointsAsync(task.Pid));

        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            Assert.True(await db.PurgeEndedAsync(DateTime.UtcNow.AddMinutes(1), 10_000, CancellationToken.None) >= 1);
        }

        await (await Client.GetAsync($"{Contract.TaskPath(task.Pid)}/history")).ReadProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(0, await StoredPointsAsync(task.Pid));
    }

    private async Task<HistoryView> ReadHistoryAsync(long pid) =>
        await (await Client.GetAsync($"{Contract.TaskPath(pid)}/history")).ReadAsAsync<HistoryView>();

    private async Task<int> StoredPointsAsync(long pid)
    {
        await using var scope = api.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BgtaskDbContext>().HistoryPoints.CountAsync(p => p.Pid == pid);
    }

    private static void AssertOrdered(HistoryView history)
    {
        for (var i = 1; i < history.Points.Count; i++)
        {
            Assert.True(history.Points[i - 1].At <= history.Points[i].At, $"point {i} is older than the one before it");
            Assert.True(history.Points[i - 1].OpFinished <= history.Points[i].OpFinished, $"point {i} went backwards");
        }
    }

    /// <summary>The statuses of the series, each run of one status as one.</summary>
    private static List<string> Collapsed(HistoryView history) =>
        history.Points.Select(p => p.Status).Where((s, i) => i == 0 || s != history.Points[i - 1].Status).ToList();
}

public sealed class HistoryTests_Sqlite(HistoryApiFactory<SqliteTarget> api) : HistoryTests<SqliteTarget>(api);

public sealed class HistoryTests_MariaDb(HistoryApiFactory<MariaDbTarget> api) : HistoryTests<MariaDbTarget>(api);

public sealed class HistoryTests_MariaDbMemory(HistoryApiFactory<MariaDbMemoryTarget> api)
    : HistoryTests<MariaDbMemoryTarget>(api);
