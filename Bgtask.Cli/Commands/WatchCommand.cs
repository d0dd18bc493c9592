using System.CommandLine;
using Bgtask.Cli.Output;
using Bgtask.Cli.Watching;
using Bgtask.Client;

namespace Bgtask.Cli.Commands;

/// <summary><c>bgtask watch &lt;pid&gt;</c>: a live progress bar fed by the task's event stream, until the task ends.</summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var pid = Args.Pid();
        var command = new Command("watch", "Show a task live (progress, rate, ETA, memory, status changes) until it ends; " +
                                           "the exit code is its outcome. Ctrl-C stops watching, never the task.") { pid };
        command.SetRun((run, ct) => WatchAsync(run, run.Parse.GetValue(pid), ct));
        return command;
    }

    /// <summary>Shows the task until it ends and returns its outcome as an exit code (also for <c>launch --follow</c>).</summary>
    public static async Task<int> WatchAsync(CommandRun run, long pid, CancellationToken ct)
    {
        var last = await ProgressView.ShowAsync(run.Terminal, new TaskFollower(run.Client, pid).FollowAsync(ct: ct));
        ct.ThrowIfCancellationRequested();
        last ??= await run.Client.GetAsync(pid, ct);
        Console.Out.WriteLine(TaskText.Outcome(last));
        return ExitCodes.ForOutcome(last.Status);
    }

    /// <summary>Waits for the end without showing anything (<c>launch --wait</c>), and returns the outcome.</summary>
    public static async Task<int> WaitAsync(CommandRun run, long pid, CancellationToken ct)
    {
        BgtaskTask? last = null;
        await foreach (var task in new TaskFollower(run.Client, pid).FollowAsync(ct: ct)) last = task;
        last ??= await run.Client.GetAsync(pid, ct);
        return ExitCodes.ForOutcome(last.Status);
    }
}
