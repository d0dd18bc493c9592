using System.CommandLine;
using Bgtask.Cli.Commands;

namespace Bgtask.Cli;

/// <summary>The command tree, and the usage errors that end a line before it reaches the service (exit 64).</summary>
public static class BgtaskCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("bgtask: launch, watch and control Bgtask background tasks over the HTTP API.")
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
