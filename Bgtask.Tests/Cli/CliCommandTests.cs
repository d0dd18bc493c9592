using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Cli;

/// <summary>
/// The real <c>bgtask</c> against the real service on a loopback port, with real worker processes: each command,
/// its output for scripts (piped, <c>--json</c>) and its exit codes.
/// </summary>
public sealed class CliCommandTests(WorkerApiFactory<SqliteTarget> api) : IClassFixture<WorkerApiFactory<SqliteTarget>>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = api.Address };
    private readonly BgtaskCli _cli = new(api.Address);

    public void Dispose() => _http.Dispose();

    private async Task<long> LaunchAsync(params string[] args)
    {
        var result = await _cli.RunAsync(["launch", .. args]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return long.Parse(Assert.Single(result.Lines));
    }

    [Fact]
    public async Task Types_ListsTheDemoTasks()
    {
        var result = await _cli.RunAsync("types");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Lines, l => l.StartsWith("demo.count ", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("demo.fail ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LaunchWait_FinishedTask_Exits0()
    {
        var result = await _cli.RunAsync("launch", "demo.count", "--set", "total=3", "--set", "delayMs=20", "--wait");

        Assert.True(result.ExitCode == 0, result.ToString());
        var pid = long.Parse(Assert.Single(result.Lines));
        Assert.Equal(Statuses.Finished, (await _http.GetTaskAsync(pid)).Status);
    }

    [Fact]
    public async Task LaunchWait_FailedTask_Exits1()
    {
        var result = await _cli.RunAsync("launch", "demo.fail", "--set", "failAt=1", "--set", "delayMs=10", "--wait");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(Statuses.Error, (await _http.GetTaskAsync(long.Parse(Assert.Single(result.Lines)))).Status);
    }

    [Fact]
    public async Task LaunchWait_StoppedTask_Exits2()
    {
        using var waiting = _cli.Start(["launch", "demo.count", "--set", "total=1000", "--set", "delayMs=50", "--wait"]);
        var pid = long.Parse(await waiting.FirstLineAsync());
        await _http.WaitForStatusAsync(pid, Statuses.Running);

        var stop = await _cli.RunAsync("stop", pid.ToString());
        var result = await waiting.WaitAsync();

        Assert.Equal(0, stop.ExitCode);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal(Statuses.Stopped, (await _http.GetTaskAsync(pid)).Status);
    }

    [Fact]
    public async Task LaunchFollow_Piped_PrintsPlainProgressLinesAndTheOutcome()
    {
        var result = await _cli.RunAsync("launch", "demo.count", "--set", "total=5", "--set", "delayMs=100", "--follow",
            "--description", "followed");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain('\x1B', result.Stdout); // no terminal escapes in a pipe
        var pid = result.Lines[0];
        Assert.Contains(result.Lines, l => l.StartsWith($"{pid} demo.count running", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith($"{pid} demo.count finished 5/5 100%", StringComparison.Ordinal));
        Assert.StartsWith($"task {pid} finished", result.Lines[^1]);
        Assert.Equal("followed", (await _http.GetTaskAsync(long.Parse(pid))).Description);
    }

    [Fact]
    public async Task Launch_SetAndConfig_BuildTheConfigObjectWithJsonTypes()
    {
        var pid = await LaunchAsync("demo.count", "--launcher", "inprocess", "--config", """{"total":2,"tags":["a"]}""",
            "--set", "delayMs=10", "--set", "dry=true", "--set", "name=nightly", "--set", "total=1", "--set", "ratio=0.5",
            "--set", "zip=007");

        var config = await _http.GetConfigAsync(pid);
        var expected = JsonNode.Parse("""{"total":1,"tags":["a"],"delayMs":10,"dry":true,"name":"nightly","ratio":0.5,"zip":"007"}""");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(config.Config.GetRawText())), config.Config.GetRawText());
    }

    [Fact]
    public async Task Json_IsTheContractsDocumentAndNothingElse()
    {
        var launched = await _cli.RunAsync("launch", "demo.count", "--set", "total=2", "--set", "delayMs=10", "--wait", "--json");
        Assert.True(launched.ExitCode == 0, launched.ToString());
        var pid = JsonDocument.Parse(launched.Stdout).RootElement.GetProperty("pid").GetInt64();
        Assert.Equal("finished", JsonDocument.Parse(launched.Stdout).RootElement.GetProperty("status").GetString());

        var show = await _cli.RunAsync("show", pid.ToString(), "--json");
        var served = await _http.GetStringAsync($"/api/tasks/{pid}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(served), JsonNode.Parse(show.Stdout)), show.Stdout);

        var list = JsonDocument.Parse((await _cli.RunAsync("ls", "--status", "finished", "--task", "demo.count", "--limit", "500", "--json")).Stdout).RootElement;
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("pid").GetInt64() == pid);
        Assert.True(list.TryGetProperty("next", out _));

        var types = JsonDocument.Parse((await _cli.RunAsync("types", "--json")).Stdout).RootElement;
        Assert.Contains(types.EnumerateArray(), t => t.GetProperty("name").GetString() == "demo.count");
    }

    [Fact]
    public async Task LsAndShow_Piped_ArePlainText()
    {
        var pid = await LaunchAsync("demo.count", "--launcher", "inprocess", "--set", "total=1", "--set", "delayMs=0",
            "--description", "listed");
        await _http.WaitForEndAsync(pid);

        var list = await _cli.RunAsync("ls", "--status", "finished", "--limit", "500");
        var show = await _cli.RunAsync("show", pid.ToString());

        Assert.Equal(0, list.ExitCode);
        Assert.StartsWith("PID ", list.Lines[0]);
        Assert.Contains(list.Lines, l => l.StartsWith($"{pid} ", StringComparison.Ordinal) && l.Contains("listed"));
        Assert.Equal(0, show.ExitCode);
        Assert.Contains($"pid:         {pid}", show.Lines);
        Assert.Contains("status:      finished", show.Lines);
        Assert.Contains("description: listed", show.Lines);
    }

    [Fact]
    public async Task Signals_SleepContinueCustomAndKill_ReachTheTask()
    {
        var pid = await LaunchAsync("demo.count", "--set", "total=1000", "--set", "delayMs=50");
        await _http.WaitForStatusAsync(pid, Statuses.Running);

        Assert.Equal(0, (await _cli.RunAsync("sleep", pid.ToString())).ExitCode);
        await _http.WaitForStatusAsync(pid, Statuses.Sleeping);
        Assert.Equal(0, (await _cli.RunAsync("continue", pid.ToString())).ExitCode);
        await _http.WaitForStatusAsync(pid, Statuses.Running);

        var custom = await _cli.RunAsync("signal", pid.ToString(), "reload.now");
        Assert.True(custom.ExitCode == 0, custom.ToString());
        Assert.StartsWith($"sent reload.now to {pid}", custom.Stdout);

        var kill = await _cli.RunAsync("kill", pid.ToString());
        Assert.Equal(0, kill.ExitCode);
        Assert.Equal($"killed {pid}", kill.Stdout.Trim());
        var ended = await _http.WaitForEndAsync(pid);
        Assert.Equal(Statuses.Stopped, ended.Status);
        Assert.Equal("killed", ended.Message);

        Assert.Equal(3, (await _cli.RunAsync("sleep", pid.ToString())).ExitCode); // 409: the task has ended
    }

    [Fact]
    public async Task Config_PrintsSetsKeysAndGuardsTheVersion()
    {
        var pid = await LaunchAsync("demo.count", "--set", "total=1000", "--set", "delayMs=50");

        var printed = JsonDocument.Parse((await _cli.RunAsync("config", pid.ToString())).Stdout).RootElement;
        Assert.Equal(1, printed.GetProperty("version").GetInt32());

        var set = await _cli.RunAsync("config", pid.ToString(), "--set", "delayMs=5");
        Assert.True(set.ExitCode == 0, set.ToString());
        var saved = JsonDocument.Parse(set.Stdout).RootElement;
        Assert.Equal(2, saved.GetProperty("version").GetInt32());
        Assert.Equal(1000, saved.GetProperty("config").GetProperty("total").GetInt32()); // the other keys stay
        Assert.Equal(5, saved.GetProperty("config").GetProperty("delayMs").GetInt32());

        var stale = await _cli.RunAsync("config", pid.ToString(), "--json", """{"total":1}""", "--if-version", "1");
        Assert.Equal(3, stale.ExitCode);
        Assert.Contains("412", stale.Stderr);

        var replaced = await _cli.RunAsync("config", pid.ToString(), "--json", """{"total":1000,"delayMs":7}""", "--if-version", "2");
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        Assert.Equal(7, (await _http.GetConfigAsync(pid)).Config.GetProperty("delayMs").GetInt32());
        await _http.CallAsync(pid, "kill");
    }

    [Fact]
    public async Task Logs_PrintTheLogAndFollowItToTheEnd()
    {
        var pid = await LaunchAsync("demo.fail", "--set", "failAt=2", "--set", "delayMs=300");

        var follow = await _cli.RunAsync("logs", pid.ToString(), "-f");
        Assert.True(follow.ExitCode == 1, follow.ToString()); // the outcome: error
        Assert.Contains(follow.Lines, l => l.Contains("demo.fail failed after 2 operations"));

        var log = await _cli.RunAsync("logs", pid.ToString());
        Assert.Equal(0, log.ExitCode);
        Assert.Equal(await _http.LogLinesAsync(pid), log.Stdout.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Rm_RemovesAnEndedTask_AndTheRemovedPidIsAProblem()
    {
        var pid = await LaunchAsync("demo.count", "--launcher", "inprocess", "--set", "total=1", "--set", "delayMs=0", "--wait");

        Assert.Equal(0, (await _cli.RunAsync("rm", pid.ToString())).ExitCode);

        var show = await _cli.RunAsync("show", pid.ToString());
        Assert.Equal(3, show.ExitCode);
    }

    [Fact]
    public async Task UnknownPid_Exits3WithTheProblemOnOneLine()
    {
        var result = await _cli.RunAsync("show", "987654321");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("bgtask: 404 ", line);
        Assert.Contains("987654321", line);
    }

    [Theory]
    [InlineData("watch", "987654321")]
    [InlineData("logs", "987654321", "-f")]
    [InlineData("config", "987654321", "--set", "a=1")]
    [InlineData("kill", "987654321")]
    [InlineData("rm", "987654321")]
    public async Task UnknownPid_AnyCommand_Exits3OnOneLine(params string[] args)
    {
        var result = await _cli.RunAsync(args);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.StartsWith("bgtask: 404 ", Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task Launch_UnknownTask_Exits3WithTheServicesProblem()
    {
        var result = await _cli.RunAsync("launch", "no.such.task");

        Assert.Equal(3, result.ExitCode);
        Assert.Matches("^bgtask: 4[0-9][0-9] ", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    // A route's problem (freeze or thaw of an unknown pid: 404) is exit 3 on one line.
    [Theory]
    [InlineData("freeze", "987654321")]
    [InlineData("thaw", "987654321")]
    public async Task RoutesTheServiceAnswersWithAProblem_Exit3OnOneLine(params string[] args)
    {
        var result = await _cli.RunAsync(args);

        Assert.Equal(3, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("bgtask: 404 ", line);
        Assert.DoesNotContain("Exception", result.Stderr);
    }

    [Fact]
    public async Task Nodes_ListsThisNodeLive_AsATableAndAsJson()
    {
        var table = await _cli.RunAsync("nodes");
        var json = await _cli.RunAsync("nodes", "--json");

        Assert.Equal(0, table.ExitCode);
        Assert.StartsWith("NAME", table.Stdout);
        Assert.Equal(2, table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // the header and this node
        Assert.Equal(0, json.ExitCode);
        using var nodes = System.Text.Json.JsonDocument.Parse(json.Stdout);
        Assert.True(Assert.Single(nodes.RootElement.EnumerateArray()).GetProperty("live").GetBoolean());
    }

    [Fact]
    public async Task UnreachableUrl_Exits4AndNamesTheUrl()
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}/";

        var byOption = await _cli.RunRawAsync(null, "--url", url, "types");
        var byEnvironment = await _cli.RunRawAsync(new Dictionary<string, string> { ["BGTASK_URL"] = url }, "ls");

        Assert.Equal(4, byOption.ExitCode);
        Assert.Contains(url, byOption.Stderr);
        Assert.Equal(4, byEnvironment.ExitCode);
        Assert.Contains(url, byEnvironment.Stderr);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("launch")]
    [InlineData("show", "abc")]
    [InlineData("show", "0")]
    [InlineData("launch", "demo.count", "--timeout", "soon")]
    [InlineData("config", "1", "--json", "[1]", "--if-version", "x")]
    [InlineData("ls", "--limit", "0")]
    [InlineData("launch", "demo.count", "--follow", "--wait")]
    [InlineData("launch", "demo.count", "--set", "novalue")]
    [InlineData("launch", "demo.count", "--config", "[1,2]")]
    [InlineData("launch", "demo.count", "--config", "{not json")]
    [InlineData("config", "1", "--if-version", "2")]
    [InlineData("signal", "1")]
    [InlineData("--url", "ftp://example.invalid", "types")]
    public async Task BadArguments_Exit64BeforeAnyRequest(params string[] args)
    {
        var result = await _cli.RunAsync(args);

        Assert.True(result.ExitCode == 64, result.ToString());
        Assert.Equal("", result.Stdout);
        Assert.StartsWith("bgtask: ", result.Stderr);
    }

    [Fact]
    public async Task BadUrlInTheEnvironment_Exits64()
    {
        var result = await _cli.RunRawAsync(new Dictionary<string, string> { ["BGTASK_URL"] = "not a url" }, "types");

        Assert.Equal(64, result.ExitCode);
        Assert.StartsWith("bgtask: BGTASK_URL: ", result.Stderr);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("launch", "--help")]
    [InlineData("watch", "--help")]
    [InlineData("config", "--help")]
    public async Task Help_DescribesTheCommand(params string[] args)
    {
        var result = await _cli.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("--url", result.Stdout);
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
