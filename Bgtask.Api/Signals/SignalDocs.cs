namespace Bgtask.Api.Signals;

/// <summary>What the Swagger document says about signals: rules and errors, from the contract.</summary>
public static class SignalDocs
{
    public const string Send = """
        Queues a signal for the task's runner; signals are delivered in the order sent. Answers 201 with it.

        - `sleep`: pause at the next check-point; `continue`: resume; `stop`: end cooperatively, as `stopped`
          (a launch still waiting for its runner stops at once).
        - Any other name matching `^[a-z][a-z0-9_.-]{0,63}$` is a custom signal, handed to the task's code as it is.

        Errors: 400 for a name that is neither; 404 for an unknown pid; 409 when the task has ended.
        """;

    public const string Read = """
        The task's pending signals, oldest first. Every 200 carries the task's current config version in the
        `Bgtask-Config-Version` header.

        - `clean=true` takes the signals it returns, atomically: two readers never both receive one signal, and a
          signal sent during the read is never lost.
        - `wait` (seconds, 0 to 60, 0 by default): when nothing is pending, the request is held until a signal
          arrives, the config version changes or the time is up (then `[]`); for an ended task it answers at once.
          This is how a worker learns of signals and config changes without polling.
        - `version` (with `wait`): the config version the reader already has; when the task's is another, the read
          answers at once, so a config change between two reads is never held back.

        Errors: 400 for a `wait` out of range or a flag that is not a boolean; 404 for an unknown pid.
        """;

    public const string Clear = """
        Deletes the task's pending signals with the given ids (`?id=7&id=8`), or all of them when no `id` is given,
        and answers how many went; ids that are not pending are ignored.

        Errors: 400 for an `id` that is not a number; 404 for an unknown pid.
        """;
}
