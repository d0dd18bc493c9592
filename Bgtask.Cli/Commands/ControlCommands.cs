using System.CommandLine;
using Bgtask.Cli.Output;

namespace Bgtask.Cli.Commands;

/// <summary>Control: the signals <c>sleep</c>, <c>continue</c>, <c>stop</c> and any other by <c>signal</c>; <c>kill</c>; <c>freeze</c>, <c>thaw</c>.</summary>
public static class ControlCommands
{
    public static IEnumerable<Command> All() =>
    [
        Signal("sleep", "Ask a task to pause at its next check-point (signal sleep)."),
        Signal("continue", "Resume a sleeping task (signal continue)."),
        Signal("stop", "Ask a task to end at its next check-point, status stopped (signal stop)."),
        Custom(), Kill(),
        Freeze("freeze", "Freeze every OS process of a running task where it stands (no check-point needed)."),
        Freeze("thaw", "Let a frozen task's processes go on."),
    ];

    private static Command Signal(string name, string description)
    {
        var pid = Args.Pid();
        var command = new Command(name, description) { pid };
        command.SetRun((run, ct) => SendAsync(run, run.Parse.GetValue(pid), name, ct));
        return command;
    }

    private static Command Custom()
    {
        var pid = Args.Pid();
        var name = new Argument<string>("name") { Description = "sleep, continue, stop, or a custom signal name ([a-z][a-z0-9_.-]*)" };
        var command = new Command("signal", "Send a task any signal.") { pid, name };
        command.SetRun((run, ct) => SendAsync(run, run.Parse.GetValue(pid), run.Parse.GetValue(name)!, ct));
        return command;
    }

    private static async Task<int> SendAsync(CommandRun run, long pid, string signal, CancellationToken ct)
    {
        var sent = await run.Client.SignalAsync(pid, signal, ct);
        Console.Out.WriteLine($"sent {sent.Signal} to {sent.Pid} (signal {sent.Id})");
        return ExitCodes.Success;
    }

    private static Command Kill()
    {
        var pid = Args.Pid();
        var command = new Command("kill", "End a task's runner for real (its whole process tree); it ends stopped, \"killed\".") { pid };
        command.SetRun(async (run, ct) =>
        {
            var p = run.Parse.GetValue(pid);
            var killed = await run.Client.KillAsync(p, ct);
            Console.Out.WriteLine(killed ? $"killed {p}" : $"{p} had already ended; nothing killed");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Freeze(string name, string description)
    {
        var pid = Args.Pid();
        var command = new Command(name, description) { pid };
        command.SetRun(async (run, ct) =>
        {
            var p = run.Parse.GetValue(pid);
            var task = name == "freeze" ? await run.Client.FreezeAsync(p, ct) : await run.Client.ThawAsync(p, ct);
            Console.Out.WriteLine(TaskText.Line(task));
            return ExitCodes.Success;
        });
        return command;
    }
}
