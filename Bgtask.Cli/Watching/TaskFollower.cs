using Bgtask.Client;

namespace Bgtask.Cli.Watching;

/// <summary>
/// One task's event stream (<c>GET /api/tasks/{pid}/events</c>) as the task's successive states, until it ends.
/// The stream drops with a restart or a proxy: it is opened again with the last event id, so nothing is missed
/// (a service that cannot resume sends a snapshot first). No polling.
/// </summary>
public sealed class TaskFollower(BgtaskClient client, long pid)
{
    /// <summary>Drops in a row (with no event between them) before giving up: with the back-off, about a minute.</summary>
    private const int Reconnects = 11;

    /// <summary>The task after each change; the last one is terminal. Log lines go to <paramref name="onLog"/>.</summary>
    public async IAsyncEnumerable<BgtaskTask> FollowAsync(Action<BgtaskLogLine>? onLog = null, Func<Task>? onConnected = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        string? lastId = null;
        var everConnected = false;
        for (var drops = 0; ; drops++)
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
                    catch (Exception e) when (e is HttpRequestException or IOException && everConnected && drops < Reconnects &&
                                              !ct.IsCancellationRequested)
                    {
                        break; // dropped: open it again from lastId
                    }
                    if (!more) break;
                    var evt = stream.Current;
                    lastId = evt.Id ?? lastId;
                    if (!connected)
                    {
                        connected = everConnected = true;
                        drops = 0;
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
            // The stream ended without a terminal event (a drop, a restart, or a replica that lost track): read the
            // task, then open the stream again. A service that stays out of reach ends as the usual error (exit 4).
            BgtaskTask now;
            try
            {
                now = await client.GetAsync(pid, ct);
            }
            catch (HttpRequestException) when (everConnected && drops < Reconnects && !ct.IsCancellationRequested)
            {
                await BackOffAsync(drops, ct);
                continue;
            }
            if (now.IsTerminal)
            {
                yield return now;
                yield break;
            }
            if (drops >= Reconnects) throw new HttpRequestException($"the event stream of task {pid} kept dropping");
            await BackOffAsync(drops, ct);
        }
    }

    private static Task BackOffAsync(int drops, CancellationToken ct) =>
        Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 << drops, 8000)), ct);
}
