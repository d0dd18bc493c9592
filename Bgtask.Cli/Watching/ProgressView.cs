using Bgtask.Cli.Output;
using Bgtask.Client;
using Spectre.Console;

namespace Bgtask.Cli.Watching;

/// <summary>
/// Shows a task's states as they come: a live progress bar on a terminal (done/total, percent, rate, ETA, memory
/// and peak, status changes above it), plain lines in a pipe (each status change, progress at most once a second).
/// Returns the last state, terminal unless the stream was cancelled.
/// </summary>
public static class ProgressView
{
    public static Task<BgtaskTask?> ShowAsync(Terminal terminal, IAsyncEnumerable<BgtaskTask> states) =>
        terminal.IsLive ? LiveAsync(terminal.Console, states) : PlainAsync(states);

    private static async Task<BgtaskTask?> LiveAsync(IAnsiConsole console, IAsyncEnumerable<BgtaskTask> states)
    {
        BgtaskTask? last = null;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn())
            .StartAsync(async progress =>
            {
                ProgressTask? bar = null;
                await foreach (var task in states)
                {
                    if (last is null || last.Status != task.Status || last.Frozen != task.Frozen)
                        console.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss}[/] task {task.Pid} [bold]{Markup.Escape(TaskText.Status(task))}[/]");
                    bar ??= progress.AddTask("", autoStart: true);
                    bar.IsIndeterminate = task.OpTotal == 0;
                    bar.MaxValue = Math.Max(task.OpTotal, 1);
                    bar.Value = task.OpTotal == 0 ? 0 : task.OpFinished;
                    bar.Description = Markup.Escape(Units.Invariant($"{task.Pid} {task.Task} {TaskText.Status(task)} ") + TaskText.Progress(task));
                    if (task.IsTerminal) bar.StopTask();
                    progress.Refresh();
                    last = task;
                }
            });
        return last;
    }

    private static async Task<BgtaskTask?> PlainAsync(IAsyncEnumerable<BgtaskTask> states)
    {
        BgtaskTask? last = null;
        var printedAt = DateTime.MinValue;
        await foreach (var task in states)
        {
            var changed = last is null || last.Status != task.Status || last.Frozen != task.Frozen;
            if (changed || task.IsTerminal || DateTime.UtcNow - printedAt >= TimeSpan.FromSeconds(1))
            {
                Console.Out.WriteLine(TaskText.Line(task));
                printedAt = DateTime.UtcNow;
            }
            last = task;
        }
        return last;
    }
}
