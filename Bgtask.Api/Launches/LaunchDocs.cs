namespace Bgtask.Api.Launches;

/// <summary>What the Swagger document says about a launch: its rules and its errors, from the contract.</summary>
public static class LaunchDocs
{
    public const string Launch = """
        Stores a task of a registered type (`GET /api/task-types` lists them) as `pending`, starts its runner and
        answers 202 at once with the task and its `Location`. Follow it with `GET /api/tasks/{pid}` or the events.

        - `task` (required): a registered name; a path or a command line is never accepted.
        - `launcher`: `process` (a worker process of its own) or `inprocess` (inside the service); the service's
          setting when omitted. Tasks run elsewhere are recorded with `POST /api/tasks/records` instead.
        - `config`: a JSON object (64 KiB at most by default), the task's config at version 1; `{}` when omitted.
        - `parent`: the pid of an existing task that started this one.
        - `timeoutSeconds` (1 to 604800): at the limit the task is sent `stop`, then killed after a grace period;
          it ends `stopped` with the message `time limit`.
        - `heartbeatTimeoutSeconds` (10 or more): this task's own heartbeat timeout; a started task that reports
          nothing for longer ends `error`.
        - `description`: 1,000 characters at most.
        - `exclusive`: a key that one live task at a time may hold (`true`: the task's name; else 1 to 200
          characters of `[A-Za-z0-9_.:-]`), across nodes and concurrent launches; free again once its holder ends.

        Errors: 400 for an unknown task or launcher, an unknown parent or a field out of range (`errors` names
        each field); 409 while a live task holds the `exclusive` key (the problem's `pid` names it); 429 when
        this client has used up its launches for the minute (`Retry-After` says when to try again).
        """;
}
