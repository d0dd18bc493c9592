using Bgtask.Cli.Output;
using Bgtask.Client;
using Spectre.Console;
using Spectre.Console.Rendering;

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
        // The status changes are part of the live region, above the bar (the latest ones, so it stays small).
        var changes = new List<IRenderable>();
        await console.Live(new Markup("[grey]connecting…[/]"))
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .StartAsync(async live =>
            {
                await foreach (var task in states)
                {
                    if (last is null || last.Status != task.Status || last.Frozen != task.Frozen)
                    {
                        changes.Add(new Markup($"[grey]{DateTime.Now:HH:mm:ss}[/] task {task.Pid} [bold]{Markup.Escape(TaskText.Status(task))}[/]" +
                                               (task.Message is { Length: > 0 } m ? $": {Markup.Escape(m)}" : "")));
                        if (changes.Count > MaxChanges) changes.RemoveAt(0);
                    }
                    live.UpdateTarget(new Rows([.. changes, Bar(task, console.Profile.Width)]));
                    live.Refresh();
                    last = task;
                }
            });
        return last;
    }

    private const int MaxChanges = 8;

    /// <summary>Two lines: the bar with percent and done/total, then rate, ETA, memory and peak.</summary>
    private static Markup Bar(BgtaskTask t, int width)
    {
        var head = Units.Invariant($"{t.Pid} {t.Task} {TaskText.Status(t)}");
        var tail = Units.Invariant($"{Units.Percent(t.Progress),4}  {t.OpFinished}/{t.OpTotal}");
        var barWidth = Math.Clamp(width - head.Length - tail.Length - 4, 10, 50);
        var filled = t.OpTotal == 0 ? 0 : (int)Math.Round(barWidth * Math.Clamp(t.Progress, 0, 1));
        var color = t.Status switch { "finished" => "green", "error" => "red", "stopped" => "yellow", _ => "blue" };
        var bar = $"[{color}]{new string('━', filled)}[/][grey]{new string('━', barWidth - filled)}[/]";
        var stats = $"rate {Units.Rate(t.Rate)}  eta {Units.Duration(t.EtaSeconds)}  mem {Units.Bytes(t.Memory)}  peak {Units.Bytes(t.MemoryPeak)}";
        return new Markup($"[bold]{Markup.Escape(head)}[/] {bar} {Markup.Escape(tail)}\n  [grey]{Markup.Escape(stats)}[/]");
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
