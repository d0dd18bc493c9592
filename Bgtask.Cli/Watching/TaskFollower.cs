using Bgtask.Client;

namespace Bgtask.Cli.Watching;

/// <summary>
/// One task's event stream (<c>GET /api/tasks/{pid}/events</c>) as the task's successive states, until it ends.
/// The stream drops with a restart or a proxy: it is opened again with the last event id, so nothing is missed
/// (a service that cannot resume sends a snapshot first). No polling.
/// </summary>
public sealed class TaskFollower(BgtaskClient client, long pid)
{
    private const int Reconnects = 5;

    /// <summary>The task after each change; the last one is terminal. Log lines go to <paramref name="onLog"/>.</summary>
    public async IAsyncEnumerable<BgtaskTask> FollowAsync(Action<BgtaskLogLine>? onLog = null, Func<Task>? onConnected = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        string? lastId = null;
        for (var attempt = 0; ; attempt++)
        {
            var stream = client.EventsAsync(pid, lastId, ct).GetAsyncEnumerator(ct);
            var connected = false;
            try
            {
                while (true)
                {
                    bool more;
                    try
                    {
                        more = await stream.MoveNextAsync();
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException && attempt < Reconnects && !ct.IsCancellationRequested)
                    {
                        break; // dropped: open it again from lastId
                    }
                    if (!more) break;
                    var evt = stream.Current;
                    lastId = evt.Id ?? lastId;
                    if (!connected)
                    {
                        connected = true;
                        if (onConnected is not null) await onConnected();
                    }
                    BgtaskTask? task = evt.Type switch
                    {
                        "snapshot" => evt.AsSnapshot().FirstOrDefault(t => t.Pid == pid),
                        "task" => evt.AsTask(),
                        _ => null,
                    };
                    if (evt.Type == "log" && onLog is not null)
                        foreach (var line in evt.AsLog().Items) onLog(line);
                    if (evt.Type == "removed") throw new BgtaskException(404, "Task removed", $"Task {pid} was removed while being watched.");
                    if (task is null) continue;
                    yield return task;
                    if (task.IsTerminal) yield break;
                }
            }
            finally
            {
                await stream.DisposeAsync();
            }
            // The stream ended without a terminal event (a drop, or a replica that lost track): read the task,
            // which also turns an unreachable service into the usual error.
            var now = await client.GetAsync(pid, ct);
            if (now.IsTerminal)
            {
                yield return now;
                yield break;
            }
            if (attempt >= Reconnects) throw new HttpRequestException($"the event stream of task {pid} kept dropping");
            await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), ct);
        }
    }
}
