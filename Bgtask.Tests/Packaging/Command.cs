using System.Diagnostics;
using System.Text;

namespace Bgtask.Tests.Packaging;

/// <summary>A command line run to its end, with its output kept for the failure message.</summary>
public sealed record Command(int ExitCode, string Output)
{
    /// <summary>Runs <paramref name="file"/>; past <paramref name="timeout"/> it is killed (its whole tree, by pid) and the test fails.</summary>
    /// <param name="environment">Variables to set for it, beside this process's own.</param>
    public static async Task<Command> RunAsync(string file, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Keep(output, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{file} {string.Join(' ', start.ArgumentList)} did not end within {timeout}:\n{Text(output)}");
        }
        process.WaitForExit(); // the rest of the redirected output
        return new Command(process.ExitCode, Text(output));
    }

    /// <summary>Asserts it exited with 0.</summary>
    public Command Succeeded(string what)
    {
        Assert.True(ExitCode == 0, $"{what} failed (exit code {ExitCode}):\n{Output}");
        return this;
    }

    private static void Keep(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    private static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }
}
