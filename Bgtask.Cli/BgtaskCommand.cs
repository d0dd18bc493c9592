using System.CommandLine;
using Bgtask.Cli.Commands;

namespace Bgtask.Cli;

/// <summary>The command tree, and the usage errors that end a line before it reaches the service (exit 64).</summary>
public static class BgtaskCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("bgtask: launch, watch and control Bgtask background tasks over the HTTP API.\n" +
                                   "Exit codes: 0 done (the task finished), 1 it ended error, 2 it ended stopped, " +
                                   "3 the service answered with a problem, 4 it could not be reached, 64 a usage error, " +
                                   "130 Ctrl-C (the task goes on).")
        {
            Connection.Url,
            Connection.ApiKey,
        };
        foreach (var command in TaskCommands.All()
                     .Concat([LaunchCommand.Create(), WatchCommand.Create(), LogsCommand.Create(), ConfigCommand.Create()])
                     .Concat(ControlCommands.All()))
            root.Subcommands.Add(command);
        return root;
    }

    public static async Task<int> RunAsync(this RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"bgtask: {error.Message}");
            // The commands are one level deep: the failing one is the innermost.
            var command = parse.CommandResult.Command;
            Console.Error.WriteLine($"See 'bgtask {(command == root ? "" : command.Name + " ")}--help'.");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync();
    }
}
