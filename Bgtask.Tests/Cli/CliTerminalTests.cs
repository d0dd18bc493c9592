using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Cli;

/// <summary>
/// <c>bgtask watch</c> as a person sees it: in a pseudo-terminal (<c>script</c> from util-linux, present on Debian
/// base), fed by the event stream; and Ctrl-C, which ends the watching and never the task.
/// </summary>
public sealed class CliTerminalTests(WorkerApiFactory<SqliteTarget> api) : IClassFixture<WorkerApiFactory<SqliteTarget>>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = api.Address };
    private readonly BgtaskCli _cli = new(api.Address);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Watch_InATerminal_DrawsTheProgressMovingAndEndsWithTheTask()
    {
        var launched = await _cli.RunAsync("launch", "demo.count", "--set", "total=12", "--set", "delayMs=250");
        var pid = long.Parse(Assert.Single(launched.Lines));

        using var watch = _cli.StartInTerminal("watch", pid.ToString());
        var result = await watch.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\x1B[", result.Stdout); // drawn with terminal escapes, in place
        var screen = BgtaskCli.WithoutEscapes(result.Stdout);
        Assert.Contains("━", screen); // the bar
        var counts = System.Text.RegularExpressions.Regex.Matches(screen, @"(\d+)/12\b").Select(m => int.Parse(m.Groups[1].Value))
            .Distinct().ToList();
        Assert.True(counts.Count(c => c is > 0 and < 12) >= 1, $"no intermediate progress drawn:\n{screen}");
        Assert.Contains("12/12", screen);
        Assert.Contains("rate ", screen);
        Assert.Contains("peak ", screen);
        Assert.Contains($"task {pid} finished", screen);
        Assert.Equal(Statuses.Finished, (await _http.GetTaskAsync(pid)).Status);
    }

    [Fact]
    public async Task Watch_InATerminal_ExitCodeIsTheOutcome()
    {
        var launched = await _cli.RunAsync("launch", "demo.fail", "--set", "failAt=2", "--set", "delayMs=100");
        var pid = long.Parse(Assert.Single(launched.Lines));

        using var watch = _cli.StartInTerminal("watch", pid.ToString());
        var result = await watch.WaitAsync();

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"task {pid} error", BgtaskCli.WithoutEscapes(result.Stdout));
    }

    [Fact]
    public async Task Ls_InATerminal_IsATable()
    {
        var launched = await _cli.RunAsync("launch", "demo.count", "--launcher", "inprocess", "--set", "total=1",
            "--set", "delayMs=0", "--description", "tabled", "--wait");
        var pid = long.Parse(Assert.Single(launched.Lines));

        using var ls = _cli.StartInTerminal("ls", "--limit", "500");
        var result = await ls.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        var screen = BgtaskCli.WithoutEscapes(result.Stdout);
        Assert.Contains("PID", screen);
        Assert.Contains("─", screen); // the table's rule, drawn only for a terminal
        Assert.Contains(screen.Split('\n'), l => l.TrimStart().StartsWith($"{pid} ", StringComparison.Ordinal) && l.Contains("tabled"));
    }

    [Fact]
    public async Task CtrlC_DuringWatch_StopsWatchingNotTheTask()
    {
        var launched = await _cli.RunAsync("launch", "demo.count", "--set", "total=1000", "--set", "delayMs=50");
        var pid = long.Parse(Assert.Single(launched.Lines));
        await _http.WaitForStatusAsync(pid, Statuses.Running);

        using var watch = _cli.Start(["watch", pid.ToString()]);
        await Eventually.TrueAsync(() => Task.FromResult(watch.StdoutSoFar.Contains($"{pid} demo.count running")),
            "the watch to show the running task");
        watch.Interrupt();
        var result = await watch.WaitAsync();

        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Contains("the task goes on", result.Stderr);
        var task = await _http.GetTaskAsync(pid);
        Assert.Equal(Statuses.Running, task.Status);
        await _http.CallAsync(pid, "kill");
    }
}
