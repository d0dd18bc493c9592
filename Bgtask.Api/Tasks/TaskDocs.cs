namespace Bgtask.Api.Tasks;

/// <summary>What the Swagger document says about the task resource's routes: rules and errors, from the contract.</summary>
public static class TaskDocs
{
    public const string List = """
        Tasks newest first, a page at a time: `items`, and `next`, the value to pass as `after` for the following
        page (null on the last one).

        - `status`: one or more of `pending`, `running`, `sleeping`, `stopped`, `finished`, `error`,
          comma-separated.
        - `task` and `parent` match exactly (`task` is case-sensitive on every storage).
        - `limit`: 1 to 500, 50 by default. `after`: a pid from `next`; only older tasks follow.

        Errors: 400 for a `limit` out of range, an unknown status, or a number that is not one.
        """;

    public const string Get = """
        The task resource: its status, progress (`opFinished` of `opTotal`), memory, times, rate and time left, and
        `live` (pending, running or sleeping, with its runner alive).

        Errors: 404 for an unknown pid.
        """;

    public const string IsLive = """
        `live` is true while the task is pending, running or sleeping and, for `process` and `inprocess` tasks,
        its runner is alive.

        Errors: 404 for an unknown pid.
        """;

    public const string AddRecord = """
        Records a task that something outside Bgtask runs (a cron job, a script) and reports on with the Task
        state routes: `launcher: external`, `status: pending`, config `{}` at version 1. Answers 201 with the task
        and its `Location`.

        - `description` (required): 1,000 characters at most.
        - `task`: a name to group and filter by; `external` when omitted.
        - `parent`: the pid of an existing task.
        - `exclusive`: as for a launch, a key that one live task at a time may hold (`true`: the task's name).

        Errors: 400 for a missing description, an unknown parent or a field out of range; 409 while a live task
        holds the `exclusive` key (the problem's `pid` names it).
        """;

    public const string Remove = """
        Deletes a task that has ended (stopped, finished or error), with its signals, config and log. Answers 204.

        Errors: 404 for an unknown pid; 409 while the task is live (stop or kill it first).
        """;

    public const string Kill = """
        Ends the task's runner for real (the worker's whole process tree, or the in-process run), marks the task
        `stopped` with the message `killed` and keeps the record. `killed` says whether a live runner was ended:
        false for an external record (only marked) and for a task that had already ended (nothing changes).

        Errors: 404 for an unknown pid.
        """;

    public const string Freeze = """
        Stops every OS process of the task's tree where it stands (SIGSTOP to the worker and each of its descendants,
        children started while the freeze ran included): no check-point is needed, so it holds a task that never
        checks in. The task becomes `sleeping` with `frozen: true`; no heartbeat is expected while frozen, and its
        `memory` is the frozen tree's, read by the service. `kill` works on a frozen task; a `stop` signal (or a time
        limit) thaws it first so it can stop at its check-point. Repeating it changes nothing. Answers the task.

        Errors: 404 for an unknown pid; 409 for an `inprocess` task, an external record, a pending or an ended task
        (the detail says which), or a worker not on this host.
        """;

    public const string Thaw = """
        Lets a frozen task's processes go on (SIGCONT to the tree, children first) and restores the status it had
        before the freeze (`running` or `sleeping`), with `frozen: false`. Thawing a task that is not frozen changes
        nothing. Answers the task.

        Errors: 404 for an unknown pid; 409 for an `inprocess` task, an external record, a pending or an ended task
        (the detail says which).
        """;
}
