using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Events;

/// <summary>
/// Writes one subscription as <c>text/event-stream</c>: an optional snapshot, the backlog, then live events,
/// with a comment line when idle. Ends when the client goes, the service stops, or (for one task's stream)
/// after the task's terminal event.
/// </summary>
public sealed class EventStream(TaskEventHub hub, TaskEventHub.Subscription subscription, string? snapshot, bool endOnTerminal)
    : IResult, IDisposable
{
    public async Task ExecuteAsync(HttpContext http)
    {
        using var _ = subscription;
        var heartbeat = http.RequestServices.GetRequiredService<IOptions<EventOptions>>().Value.Heartbeat;
        var stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var live = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var ct = live.Token;

        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await WriteAsync(response, "retry: 2000\n: connected\n\n", ct);
            if (snapshot is not null)
            {
                await WriteAsync(response, Format(hub.IdOf(subscription.Current), "snapshot", snapshot), ct);
                if (endOnTerminal && subscription.Backlog.Count == 0 && SnapshotIsTerminal) return;
            }
            foreach (var e in subscription.Backlog)
            {
                await WriteAsync(response, Format(e), ct);
                if (endOnTerminal && e.Terminal) return;
            }

            var reader = subscription.Live;
            while (true)
            {
                using (var beat = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    beat.CancelAfter(heartbeat);
                    try
                    {
                        if (!await reader.WaitToReadAsync(beat.Token)) return; // too slow: the client resumes
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        await WriteAsync(response, ": heartbeat\n\n", ct);
                        continue;
                    }
                }
                while (reader.TryRead(out var e))
                {
                    await WriteAsync(response, Format(e), ct);
                    if (endOnTerminal && e.Terminal) return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away, or the service is stopping
        }
    }

    /// <summary>Set by the per-task endpoint when its snapshot shows the task already ended.</summary>
    public bool SnapshotIsTerminal { get; init; }

    public void Dispose() => subscription.Dispose();

    private string Format(TaskEvent e) => Format(hub.IdOf(e.Seq), e.Type, e.Data);

    private static string Format(string id, string type, string data) => $"id: {id}\nevent: {type}\ndata: {data}\n\n";

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await response.Body.FlushAsync(ct);
    }
}
