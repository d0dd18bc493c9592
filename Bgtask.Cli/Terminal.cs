using Spectre.Console;

namespace Bgtask.Cli;

/// <summary>
/// Whether stdout is a terminal (live tables and progress bars) or a pipe or file (plain lines for scripts and CI
/// logs), decided here once rather than left to Spectre's detection, which also looks at CI variables.
/// </summary>
public sealed class Terminal
{
    private Terminal(bool live) => IsLive = live;

    public bool IsLive { get; }

    /// <summary>Spectre.Console on stdout, with ANSI and interaction on only where stdout is a terminal.</summary>
    public IAnsiConsole Console { get; private init; } = null!;

    public static Terminal Detect()
    {
        var live = !System.Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";
        var settings = new AnsiConsoleSettings
        {
            Ansi = live ? AnsiSupport.Yes : AnsiSupport.No,
            Interactive = live ? InteractionSupport.Yes : InteractionSupport.No,
            ColorSystem = live && Environment.GetEnvironmentVariable("NO_COLOR") is null ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        };
        settings.Enrichment.UseDefaultEnrichers = false;
        return new Terminal(live) { Console = AnsiConsole.Create(settings) };
    }
}
