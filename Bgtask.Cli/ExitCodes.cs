namespace Bgtask.Cli;

/// <summary>The exit codes of every command, for scripts (README lists them).</summary>
public static class ExitCodes
{
    /// <summary>Done; for <c>--wait</c>, <c>--follow</c> and <c>watch</c>: the task finished.</summary>
    public const int Success = 0;

    /// <summary>The task ended <c>error</c>.</summary>
    public const int TaskError = 1;

    /// <summary>The task ended <c>stopped</c>.</summary>
    public const int TaskStopped = 2;

    /// <summary>The service answered with a problem (its title and detail go to stderr).</summary>
    public const int Problem = 3;

    /// <summary>The service could not be reached.</summary>
    public const int Unreachable = 4;

    /// <summary>A usage error (EX_USAGE of sysexits.h).</summary>
    public const int Usage = 64;

    /// <summary>A bug of bgtask's own (EX_SOFTWARE of sysexits.h).</summary>
    public const int Internal = 70;

    /// <summary>Ctrl-C ended the watching (the task goes on), as shells report SIGINT.</summary>
    public const int Interrupted = 130;

    /// <summary>A terminal status as an exit code.</summary>
    public static int ForOutcome(string status) => status switch
    {
        "finished" => Success,
        "error" => TaskError,
        "stopped" => TaskStopped,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a terminal status"),
    };
}
