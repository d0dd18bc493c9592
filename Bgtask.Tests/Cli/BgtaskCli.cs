using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Bgtask.Tests.Client;

namespace Bgtask.Tests.Cli;

/// <summary>What a finished <c>bgtask</c> run left: its exit code and its output.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// The built <c>bgtask</c> (copied into the test output by the project reference, like the worker) run as a real
/// process against <see cref="Url"/>: piped, as a script runs it, or in a pseudo-terminal (<c>script</c> from
/// util-linux), as a person does. Its environment has no BGTASK_* variable of the test machine's own.
/// </summary>
public sealed class BgtaskCli(Uri url, string? apiKey = null)
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "bgtask");

    public Uri Url => url;

    /// <summary>Runs <c>bgtask --url URL args...</c> to its end (a hang fails the test at the deadline).</summary>
    public Task<CliResult> RunAsync(params string[] args) => Start(args).WaitAsync();

    /// <summary>Runs without adding <c>--url</c>: the arguments (or the environment) say where.</summary>
    public Task<CliResult> RunRawAsync(IReadOnlyDictionary<string, string>? env, params string[] args) =>
        Start(args, addUrl: false, env).WaitAsync();

    public CliProcess Start(string[] args, bool addUrl = true, IReadOnlyDictionary<string, string>? env = null)
    {
        // Through env, which gives bgtask SIGINT's default back: a test run started in the background of a
        // non-interactive shell inherits SIGINT ignored, and .NET then leaves it ignored (Ctrl-C would never arrive).
        var info = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add(Executable);
        if (addUrl) info.ArgumentList.Add("--url=" + url.AbsoluteUri);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        Prepare(info.Environment, env);
        return new CliProcess(Process.Start(info)!);
    }

    /// <summary>
    /// Runs bgtask in a pseudo-terminal: <c>script -qefc</c> gives it a PTY for stdin, stdout and stderr and copies
    /// what it draws to this pipe; <c>-e</c> passes its exit code on.
    /// </summary>
    public CliProcess StartInTerminal(params string[] args)
    {
        var line = string.Join(' ', new[] { Executable, "--url=" + url.AbsoluteUri }.Concat(args).Select(Quote));
        var info = new ProcessStartInfo("script")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-qefc", line, "/dev/null" }) info.ArgumentList.Add(arg);
        Prepare(info.Environment, new Dictionary<string, string> { ["TERM"] = "xterm-256color", ["COLUMNS"] = "100" });
        return new CliProcess(Process.Start(info)!);
    }

    private void Prepare(IDictionary<string, string?> environment, IReadOnlyDictionary<string, string>? extra)
    {
        foreach (var name in environment.Keys.Where(k => k.StartsWith("BGTASK_", StringComparison.Ordinal)).ToList())
            environment.Remove(name);
        environment.Remove("NO_COLOR");
        if (apiKey is not null) environment["BGTASK_API_KEY"] = apiKey;
        foreach (var (name, value) in extra ?? new Dictionary<string, string>()) environment[name] = value;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''") + "'";

    /// <summary>The text of a terminal capture without its escape sequences.</summary>
    public static string WithoutEscapes(string text) =>
        Regex.Replace(text, @"\x1B(\[[0-9;?]*[ -/]*[@-~]|[=>]|\][^\x07]*\x07)", "").Replace("\r", "");
}

/// <summary>A running <c>bgtask</c>: its output read as it comes, so a test can act on the first line.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _reading;

    public CliProcess(Process process)
    {
        _process = process;
        _reading = Task.WhenAll(Pump(process.StandardOutput, _stdout), Pump(process.StandardError, _stderr));
    }

    public int Id => _process.Id;

    public string StdoutSoFar
    {
        get { lock (_stdout) return _stdout.ToString(); }
    }

    /// <summary>Waits until stdout holds a first full line and returns it.</summary>
    public async Task<string> FirstLineAsync()
    {
        string? line = null;
        await Eventually.TrueAsync(() =>
        {
            var text = StdoutSoFar;
            var end = text.IndexOf('\n');
            if (end > 0) line = text[..end].Trim();
            return Task.FromResult(line is not null || _process.HasExited);
        }, "bgtask to print its first line");
        return line ?? throw new InvalidOperationException($"bgtask ended with no output: {_stderr}");
    }

    /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<CliResult> WaitAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            await _reading;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"bgtask did not end in time; its output so far:\n{StdoutSoFar}\n{_stderr}");
        }
        lock (_stdout) lock (_stderr) return new CliResult(_process.ExitCode, _stdout.ToString(), _stderr.ToString());
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private static async Task Pump(StreamReader reader, StringBuilder into)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
            lock (into) into.Append(buffer, 0, read);
    }
}
