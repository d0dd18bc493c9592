namespace Bgtask.Api.TaskLogs;

/// <summary>What the Swagger document says about a task's log: rules and errors, from the contract.</summary>
public static class LogDocs
{
    public const string Write = """
        Appends lines to the task's log, in order; each gets the next `seq` (from 1 per task) and the time it
        arrived. Answers 202.

        - `lines` (required): at most 1,000 per request, each at most 8 KiB (UTF-8), by default.

        Errors: 400 for a missing list, a null line or a limit exceeded; 404 for an unknown pid.
        """;

    public const string Read = """
        The task's log lines, oldest first, a page at a time: `items`, and `next`, the value to pass as `after` for
        the following page (null on the last one).

        - `after`: a `seq`; only later lines follow (0 by default: from the start).
        - `limit`: 1 to 1000, 200 by default.

        Errors: 400 for a `limit` out of range or a number that is not one; 404 for an unknown pid.
        """;
}
