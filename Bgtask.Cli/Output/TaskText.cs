using Bgtask.Client;
using Spectre.Console;
using static Bgtask.Cli.Output.Units;

namespace Bgtask.Cli.Output;

/// <summary>A task for people: one line, a table of many, or every field of one.</summary>
public static class TaskText
{
    /// <summary>The progress part: <c>25/100 25% 2/s eta 38s mem 30.0 MiB (peak 40.0 MiB)</c>.</summary>
    public static string Progress(BgtaskTask t) =>
        Invariant($"{t.OpFinished}/{t.OpTotal} {Percent(t.Progress)} {Rate(t.Rate)} eta {Duration(t.EtaSeconds)} ") +
        $"mem {Bytes(t.Memory)} (peak {Bytes(t.MemoryPeak)})";

    /// <summary>One plain line: <c>42 demo.count running 25/100 25% ...</c>.</summary>
    public static string Line(BgtaskTask t) =>
        Invariant($"{t.Pid} {t.Task} {Status(t)} {Progress(t)}") + (t.Message is { Length: > 0 } m ? $" message: {m}" : "");

    /// <summary>The status, with <c>frozen</c> when the processes are frozen.</summary>
    public static string Status(BgtaskTask t) => t.Frozen ? t.Status + " (frozen)" : t.Status;

    /// <summary>The closing line of a watch or a follow.</summary>
    public static string Outcome(BgtaskTask t) =>
        Invariant($"task {t.Pid} {t.Status} after {Duration(t.RuntimeSeconds)}, {t.OpFinished}/{t.OpTotal}") +
        (t.Message is { Length: > 0 } m ? $": {m}" : "");

    private static readonly string[] Columns = ["PID", "TASK", "STATUS", "PROGRESS", "RATE", "ETA", "MEMORY", "NODE", "DESCRIPTION"];

    private static string[] Cells(BgtaskTask t) =>
    [
        Invariant($"{t.Pid}"), t.Task, Status(t), Invariant($"{t.OpFinished}/{t.OpTotal} {Percent(t.Progress)}"),
        Rate(t.Rate), Duration(t.EtaSeconds), Bytes(t.Memory), t.Node ?? "-", t.Description ?? "",
    ];

    /// <summary>A table on a terminal; aligned plain columns in a pipe.</summary>
    public static void List(Terminal terminal, IReadOnlyList<BgtaskTask> tasks)
    {
        if (terminal.IsLive)
        {
            var table = new Table().Border(TableBorder.Simple);
            foreach (var column in Columns) table.AddColumn(column);
            foreach (var t in tasks) table.AddRow(Cells(t).Select(c => new Text(c)).ToArray());
            terminal.Console.Write(table);
            return;
        }
        Plain.Columns(Columns, tasks.Select(Cells));
    }

    /// <summary>Every field, one per line.</summary>
    public static void Details(BgtaskTask t)
    {
        (string, string?)[] fields =
        [
            ("pid", Invariant($"{t.Pid}")), ("task", t.Task), ("description", t.Description), ("launcher", t.Launcher),
            ("parent", t.Parent is { } p ? Invariant($"{p}") : null), ("status", Status(t)), ("live", t.Live ? "yes" : "no"),
            ("progress", Invariant($"{t.OpFinished}/{t.OpTotal} {Percent(t.Progress)}")), ("rate", Rate(t.Rate)),
            ("eta", Duration(t.EtaSeconds)), ("memory", Bytes(t.Memory)), ("peak memory", Bytes(t.MemoryPeak)),
            ("message", t.Message), ("node", t.Node), ("exclusive", t.Exclusive),
            ("created", Time(t.CreatedAt)), ("started", Time(t.StartedAt)), ("finished", Time(t.FinishedAt)),
            ("heartbeat", Time(t.HeartbeatAt)), ("runtime", Duration(t.RuntimeSeconds)),
        ];
        foreach (var (name, value) in fields)
            Console.Out.WriteLine($"{name + ":",-13}{value ?? "-"}");
    }

    private static string? Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
