using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launches;

/// <summary>One operator-registered executable under <c>Tasks:Commands:&lt;name&gt;</c>: a task type like the .NET tasks.</summary>
public sealed class CommandOptions
{
    /// <summary>The executable; a relative path is resolved against the service's folder (<c>AppContext.BaseDirectory</c>).</summary>
    public string Path { get; set; } = "";

    public string[] Args { get; set; } = [];

    /// <summary>Where it runs; relative to the service's folder; null: the executable's own folder.</summary>
    public string? WorkingDirectory { get; set; }

    public string? Description { get; set; }

    /// <summary><c>os</c>: the service turns the task's signals into OS signals; <c>http</c>: the program reads them itself.</summary>
    public string Signals { get; set; } = "os";

    public bool SignalsOverHttp => Signals == "http";

    public string FullPath => Resolve(Path);

    public string FullWorkingDirectory => WorkingDirectory is { Length: > 0 } dir
        ? Resolve(dir)
        : System.IO.Path.GetDirectoryName(FullPath)!;

    private static string Resolve(string path) => System.IO.Path.GetFullPath(path, AppContext.BaseDirectory);
}

/// <summary>A misconfigured command stops the service at start with what is wrong, rather than a task stuck pending.</summary>
public sealed class CommandsValidator : IValidateOptions<TasksOptions>
{
    public ValidateOptionsResult Validate(string? name, TasksOptions options)
    {
        var failures = new List<string>();
        foreach (var (task, command) in options.Commands)
        {
            var where = $"Tasks:Commands:{task}";
            if (task.Length is 0 or > 100 || task.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                failures.Add($"{where}: '{task}' is not a usable task name.");
            if (string.IsNullOrWhiteSpace(command.Path)) { failures.Add($"{where}:Path is missing."); continue; }
            if (!File.Exists(command.FullPath)) failures.Add($"{where}:Path: no file at {command.FullPath}.");
            else if (!OperatingSystem.IsWindows() &&
                     (File.GetUnixFileMode(command.FullPath) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute |
                                                               UnixFileMode.OtherExecute)) == 0)
                failures.Add($"{where}:Path: {command.FullPath} is not executable (chmod +x it).");
            if (command.Signals is not ("os" or "http")) failures.Add($"{where}:Signals is 'os' or 'http', not '{command.Signals}'.");
            if (!Directory.Exists(command.FullWorkingDirectory))
                failures.Add($"{where}:WorkingDirectory: no folder at {command.FullWorkingDirectory}.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
