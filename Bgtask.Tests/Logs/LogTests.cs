using System.Net;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Logs;

/// <summary><c>POST</c> and <c>GET /api/tasks/{pid}/log</c>: numbering, paging, limits.</summary>
public abstract class LogTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private static string[] Lines(int count, string prefix = "line") =>
        Enumerable.Range(1, count).Select(i => $"{prefix} {i}").ToArray();

    [Fact]
    public async Task Append_Returns202AndTheLinesReadBackOldestFirstFromSeq1()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);

        var response = await Client.PostLogAsync(task.Pid, ["start", "imported 25 of 100 rows", "ünïcødé 🚀"]);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var page = await Client.ReadLogAsync(task.Pid);
        Assert.Equal([1L, 2L, 3L], page.Items.Select(l => l.Seq));
        Assert.Equal(["start", "imported 25 of 100 rows", "ünïcødé 🚀"], page.Items.Select(l => l.Line));
        Assert.All(page.Items, l => Assert.InRange(l.At, before, DateTimeOffset.UtcNow.AddSeconds(5)));
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task Append_Again_ContinuesTheNumbering()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(task.Pid, "a", "b");
        await Client.AppendLogAsync(task.Pid, "c");

        var page = await Client.ReadLogAsync(task.Pid);

        Assert.Equal([(1L, "a"), (2L, "b"), (3L, "c")], page.Items.Select(l => (l.Seq, l.Line)));
    }

    [Fact]
    public async Task Seq_CountsFrom1PerTask()
    {
        var first = await Client.RecordInStatusAsync(Statuses.Running);
        var second = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(first.Pid, "a", "b");
        await Client.AppendLogAsync(second.Pid, "x");

        Assert.Equal([1L, 2L], (await Client.ReadLogAsync(first.Pid)).Items.Select(l => l.Seq));
        Assert.Equal([(1L, "x")], (await Client.ReadLogAsync(second.Pid)).Items.Select(l => (l.Seq, l.Line)));
    }

    [Fact]
    public async Task Append_AnyCharacters_AreKeptExactly()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        string[] lines = ["tab\there", "nul\0inside", "quote\" and \\ backslash", "日本語 العربية 🚀🎉", "\u00e9 vs e\u0301", "  spaced  "];

        await Client.AppendLogAsync(task.Pid, lines);

        Assert.Equal(lines, (await Client.ReadLogAsync(task.Pid)).Items.Select(l => l.Line));
    }

    [Fact]
    public async Task Append_NoLines_Returns202AndAddsNothing()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        Assert.Equal(HttpStatusCode.Accepted, (await Client.PostLogAsync(task.Pid, [])).StatusCode);
        Assert.Empty((await Client.ReadLogAsync(task.Pid)).Items);
    }

    [Fact]
    public async Task Append_EmptyLine_IsKept()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(task.Pid, "", "after");
        Assert.Equal(["", "after"], (await Client.ReadLogAsync(task.Pid)).Items.Select(l => l.Line));
    }

    [Fact]
    public async Task Read_PagedWithAfterAndLimit_FollowsNextToTheEnd()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(task.Pid, Lines(5));

        var first = await Client.ReadLogAsync(task.Pid, "?limit=2");
        Assert.Equal([1L, 2L], first.Items.Select(l => l.Seq));
        Assert.Equal(2, first.Next);

        var second = await Client.ReadLogAsync(task.Pid, $"?after={first.Next}&limit=2");
        Assert.Equal([3L, 4L], second.Items.Select(l => l.Seq));
        Assert.Equal(4, second.Next);

        var last = await Client.ReadLogAsync(task.Pid, $"?after={second.Next}&limit=2");
        Assert.Equal([(5L, "line 5")], last.Items.Select(l => (l.Seq, l.Line)));
        Assert.Null(last.Next);
    }

    [Fact]
    public async Task Read_AfterTheLastLine_IsEmpty()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(task.Pid, Lines(3));
        var page = await Client.ReadLogAsync(task.Pid, "?after=3");
        Assert.Empty(page.Items);
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task Read_WithoutLimit_Returns200Lines()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(task.Pid, Lines(250));

        var page = await Client.ReadLogAsync(task.Pid);

        Assert.Equal(200, page.Items.Count);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), page.Items.Select(l => l.Seq));
        Assert.Equal(200, page.Next);
        Assert.Equal(50, (await Client.ReadLogAsync(task.Pid, "?after=200")).Items.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public async Task Read_LimitAtTheBounds_IsAccepted(int limit)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(task.Pid, Lines(3));
        Assert.Equal(Math.Min(limit, 3), (await Client.ReadLogAsync(task.Pid, $"?limit={limit}")).Items.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(1001)]
    public async Task Read_LimitOutOfRange_Returns400(int limit)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.GetAsync($"{Contract.TaskPath(task.Pid)}/log?limit={limit}")).ReadValidationProblemAsync("limit");
    }

    [Fact]
    public async Task Append_1000Lines_IsAccepted()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await Client.AppendLogAsync(task.Pid, Lines(1000));
        var page = await Client.ReadLogAsync(task.Pid, "?after=999");
        Assert.Equal([(1000L, "line 1000")], page.Items.Select(l => (l.Seq, l.Line)));
    }

    [Fact]
    public async Task Append_Over1000Lines_Returns400AndAddsNothing()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PostLogAsync(task.Pid, Lines(1001))).ReadValidationProblemAsync("lines");
        Assert.Empty((await Client.ReadLogAsync(task.Pid)).Items);
    }

    [Fact]
    public async Task Append_LineOf8KiB_IsKeptWhole()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var line = new string('x', 8 * 1024);
        await Client.AppendLogAsync(task.Pid, line);
        Assert.Equal(line, Assert.Single((await Client.ReadLogAsync(task.Pid)).Items).Line);
    }

    [Theory]
    [InlineData(8 * 1024 + 1, "x")]
    [InlineData(2800, "€")] // 2,800 characters, 8,400 bytes of UTF-8: the limit is in bytes
    public async Task Append_LineOver8KiB_Returns400AndAddsNothing(int count, string character)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        var response = await Client.PostLogAsync(task.Pid, ["fine", string.Concat(Enumerable.Repeat(character, count))]);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem.Errors);
        Assert.Contains(problem.Errors.Keys, k => k.StartsWith("lines", StringComparison.Ordinal));
        Assert.Empty((await Client.ReadLogAsync(task.Pid)).Items);
    }

    [Fact]
    public async Task Append_WithoutLines_Returns400()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PostAsync($"{Contract.TaskPath(task.Pid)}/log", Contract.JsonText("{}")))
            .ReadValidationProblemAsync("lines");
    }

    [Fact]
    public async Task Append_NullLine_Returns400()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var problem = await (await Client.PostLogAsync(task.Pid, ["a", null])).ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem.Errors);
        Assert.Contains(problem.Errors.Keys, k => k.StartsWith("lines", StringComparison.Ordinal));
    }
}

public sealed class LogTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : LogTests<SqliteTarget>(api);

public sealed class LogTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : LogTests<MariaDbTarget>(api);

public sealed class LogTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api) : LogTests<MariaDbMemoryTarget>(api);
