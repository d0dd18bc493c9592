using System.Net;
using System.Text.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Configs;

/// <summary><c>GET</c> and <c>PUT /api/tasks/{pid}/config</c>: versions, ETag and If-Match, the limits.</summary>
public abstract class ConfigTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private static string ConfigPath(long pid) => $"{Contract.TaskPath(pid)}/config";

    private static void AssertSameJson(string expected, JsonElement actual) =>
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, actual),
            $"Expected {expected}, got {actual.GetRawText()}");

    [Fact]
    public async Task Get_NewRecord_IsAnEmptyObjectAtVersion1WithETag()
    {
        var task = await Client.NewRecordAsync();

        var response = await Client.GetAsync(ConfigPath(task.Pid));

        var config = await response.ReadAsAsync<ConfigView>();
        Assert.Equal((task.Pid, 1), (config.Pid, config.Version));
        AssertSameJson("{}", config.Config);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Put_ReplacesTheConfigAndIncrementsTheVersion()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        const string first = """{"total":100,"delayMs":250,"nested":{"list":[1,"two",null,true]},"text":"ünïcødé 🚀"}""";

        var put = await Client.PutJsonTextAsync(ConfigPath(task.Pid), first);

        var answer = await put.ReadAsAsync<ConfigView>();
        Assert.Equal((task.Pid, 2), (answer.Pid, answer.Version));
        AssertSameJson(first, answer.Config);
        Assert.Equal("\"2\"", put.Headers.ETag?.ToString());

        var read = await Client.GetAsync(ConfigPath(task.Pid));
        var stored = await read.ReadAsAsync<ConfigView>();
        Assert.Equal(2, stored.Version);
        AssertSameJson(first, stored.Config);
        Assert.Equal("\"2\"", read.Headers.ETag?.ToString());

        var second = await (await Client.PutJsonTextAsync(ConfigPath(task.Pid), """{"total":5}""")).ReadAsAsync<ConfigView>();
        Assert.Equal(3, second.Version);
        AssertSameJson("""{"total":5}""", (await Client.GetConfigAsync(task.Pid)).Config);
    }

    [Fact]
    public async Task Put_OnPendingTask_IsAccepted()
    {
        var task = await Client.NewRecordAsync();
        Assert.Equal(2, (await (await Client.PutConfigAsync(task.Pid, new { a = 1 })).ReadAsAsync<ConfigView>()).Version);
    }

    [Fact]
    public async Task Put_IfMatchTheCurrentVersion_Returns200()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutConfigAsync(task.Pid, new { a = 1 }, ifMatch: "\"1\"")).ShouldBeAsync(HttpStatusCode.OK);
        var config = await (await Client.PutConfigAsync(task.Pid, new { a = 2 }, ifMatch: "\"2\"")).ReadAsAsync<ConfigView>();
        Assert.Equal(3, config.Version);
    }

    [Fact]
    public async Task Put_IfMatchStar_Returns200()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutConfigAsync(task.Pid, new { a = 1 })).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(3, (await (await Client.PutConfigAsync(task.Pid, new { a = 2 }, ifMatch: "*")).ReadAsAsync<ConfigView>()).Version);
    }

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("\"0\"")]
    [InlineData("\"abc\"")]
    public async Task Put_IfMatchAnotherVersion_Returns412AndChangesNothing(string ifMatch)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);

        await (await Client.PutConfigAsync(task.Pid, new { a = 1 }, ifMatch)).ReadProblemAsync(HttpStatusCode.PreconditionFailed);

        var config = await Client.GetConfigAsync(task.Pid);
        Assert.Equal(1, config.Version);
        AssertSameJson("{}", config.Config);
    }

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("\"abc\"")]
    public async Task Put_IfMatchOnAnUnknownPid_Returns404(string ifMatch) =>
        await (await Client.PutConfigAsync(9_000_000_000_000_000, new { a = 1 }, ifMatch))
            .ReadProblemAsync(HttpStatusCode.NotFound);

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("\"abc\"")]
    public async Task Put_IfMatchOnATerminalTask_Returns409(string ifMatch)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Finished);
        await (await Client.PutConfigAsync(task.Pid, new { a = 1 }, ifMatch)).ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Put_IfMatchAnOldVersion_Returns412()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutConfigAsync(task.Pid, new { a = 1 }, "\"1\"")).ShouldBeAsync(HttpStatusCode.OK);
        await (await Client.PutConfigAsync(task.Pid, new { a = 2 }, "\"1\"")).ReadProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, (await Client.GetConfigAsync(task.Pid)).Version);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[1,2]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("true")]
    [InlineData("null")]
    public async Task Put_NotAnObject_Returns400(string json)
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutJsonTextAsync(ConfigPath(task.Pid), json)).ReadValidationProblemAsync("config");
        Assert.Equal(1, (await Client.GetConfigAsync(task.Pid)).Version);
    }

    [Fact]
    public async Task Put_Over64KiBOfJson_Returns400()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var json = JsonSerializer.Serialize(new { blob = new string('x', 64 * 1024) });

        await (await Client.PutJsonTextAsync(ConfigPath(task.Pid), json)).ReadValidationProblemAsync("config");

        Assert.Equal(1, (await Client.GetConfigAsync(task.Pid)).Version);
    }

    [Fact]
    public async Task Put_JustUnder64KiBOfJson_IsStoredWhole()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        var json = JsonSerializer.Serialize(new { blob = new string('x', 64 * 1024 - 20) });
        Assert.True(json.Length <= 64 * 1024);

        await (await Client.PutJsonTextAsync(ConfigPath(task.Pid), json)).ShouldBeAsync(HttpStatusCode.OK);

        AssertSameJson(json, (await Client.GetConfigAsync(task.Pid)).Config);
    }

    [Theory]
    [InlineData(Statuses.Finished)]
    [InlineData(Statuses.Stopped)]
    [InlineData(Statuses.Error)]
    public async Task Put_OnTerminalTask_Returns409ButGetStillAnswers(string status)
    {
        var task = await Client.RecordInStatusAsync(status);

        await (await Client.PutConfigAsync(task.Pid, new { a = 1 })).ReadProblemAsync(HttpStatusCode.Conflict);

        var config = await Client.GetConfigAsync(task.Pid);
        Assert.Equal(1, config.Version);
        AssertSameJson("{}", config.Config);
    }

    [Fact]
    public async Task Put_VersionShowsInTheSignalsHeader()
    {
        var task = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutConfigAsync(task.Pid, new { a = 1 })).ShouldBeAsync(HttpStatusCode.OK);
        await (await Client.PutConfigAsync(task.Pid, new { a = 2 })).ShouldBeAsync(HttpStatusCode.OK);
        Assert.Equal(3, (await Client.ReadSignalsAsync(task.Pid)).ConfigVersion);
    }

    [Fact]
    public async Task Configs_AreKeptPerTask()
    {
        var first = await Client.RecordInStatusAsync(Statuses.Running);
        var second = await Client.RecordInStatusAsync(Statuses.Running);
        await (await Client.PutConfigAsync(first.Pid, new { owner = "first" })).ShouldBeAsync(HttpStatusCode.OK);

        AssertSameJson("""{"owner":"first"}""", (await Client.GetConfigAsync(first.Pid)).Config);
        var other = await Client.GetConfigAsync(second.Pid);
        Assert.Equal(1, other.Version);
        AssertSameJson("{}", other.Config);
    }
}

public sealed class ConfigTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : ConfigTests<SqliteTarget>(api);

public sealed class ConfigTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : ConfigTests<MariaDbTarget>(api);

public sealed class ConfigTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : ConfigTests<MariaDbMemoryTarget>(api);
