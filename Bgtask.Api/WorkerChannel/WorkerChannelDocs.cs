namespace Bgtask.Api.WorkerChannel;

/// <summary>What the Swagger document says about the worker channel (docs/contract.md, "Worker channel").</summary>
public static class WorkerChannelDocs
{
    public const string Open = """
        A WebSocket (RFC 6455) for the task's worker: progress reports up, signals and config versions down, over one
        connection instead of a request per report. The request-per-report routes stay for every client.

        - Up: `{ "type": "state", "seq": 1, "state": { ...a PUT state body... } }`, answered in order by
          `{ "type": "ack", "seq": 1, "status": 200 }` (or the status PUT state would answer, with `problem`);
          `{ "type": "received", "delivery": 1 }` once a delivery's signals reached the task.
        - Down: `{ "type": "signals", "delivery": 1, "signals": [...], "configVersion": 1 }` at once, then whenever
          a signal arrives or the config version changes; `{ "type": "ended", "status": "stopped" }` before it closes.
        - Signals sent down stay the channel's until `received`; if the channel closes first they go back to the
          queue, for the signals read.

        Auth: the task's worker token, as on its other worker routes. Errors (before the upgrade): 400 for a request
        that is not a WebSocket upgrade; 404 for an unknown pid.
        """;
}
