namespace Bgtask.Api.Tasks;

/// <summary>What the Swagger document says about the runner's reports and kill: rules and errors, from the contract.</summary>
public static class TaskStateDocs
{
    public const string UpdateState = """
        A progress report from the task's runner; it also counts as a heartbeat.

        - `opTotal` and `opFinished` (required): non-negative, `opFinished` at most `opTotal` unless `opTotal` is 0.
        - `status`: `running` or `sleeping` (the other statuses have routes of their own).
        - `memory`, `memoryPeak`: bytes.

        Answers with the task as reported; frequent reports are stored together, within about a second.

        Errors: 400 for a count out of range or another status; 404 for an unknown pid; 409 when the task has ended.
        """;

    public const string Started = """
        Moves a `pending` task to `running` and stamps `startedAt`. On a task already running or sleeping it
        changes nothing, so a worker may repeat it safely.

        Errors: 404 for an unknown pid; 409 when the task has ended.
        """;

    public const string Finished = """
        Ends a pending, running or sleeping task as `finished` and stamps `finishedAt`. Repeating it on a finished
        task changes nothing.

        Errors: 404 for an unknown pid; 409 when the task ended otherwise (stopped or error).
        """;

    public const string Stopped = """
        Ends a pending, running or sleeping task as `stopped` with the body's `message` (`stopped` when there is
        no body; 4,000 characters at most) and stamps `finishedAt`. Repeating it on a stopped task changes nothing.
       

        Errors: 400 for a message over the limit; 404 for an unknown pid; 409 when the task ended otherwise.
        """;

    public const string Error = """
        Ends a pending, running or sleeping task as `error` with the body's `message` (`error` when there is no
        body; 4,000 characters at most) and stamps `finishedAt`. Repeating it on a task in error changes nothing.
       

        Errors: 400 for a message over the limit; 404 for an unknown pid; 409 when the task ended otherwise.
        """;
}
