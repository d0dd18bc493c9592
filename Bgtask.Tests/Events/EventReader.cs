using System.Text;
using System.Text.Json;
using Bgtask.Tests.Client;

namespace Bgtask.Tests.Events;

/// <summary>One server-sent event as it arrived.</summary>
public sealed record SseEvent(string? Id, string Type, string Data)
{
    public T As<T>() => JsonSerializer.Deserialize<T>(Data, Contract.Json)!;
}

/// <summary>Reads a <c>text/event-stream</c> response one event at a time, skipping comments.</summary>
public sealed class EventReader(HttpResponseMessage response, Stream body) : IAsyncDisposable
{
    private readonly StreamReader _reader = new(body, Encoding.UTF8);

    public HttpResponseMessage Response => response;

    public static async Task<EventReader> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new EventReader(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next event, or null when the stream ended; fails the test past the deadline.</summary>
    public Task<SseEvent?> NextAsync(TimeSpan? timeout = null) =>
        Eventually.WithinAsync(ReadAsync(), "the next server-sent event", timeout);

    /// <summary>The next event whose type is not in <paramref name="skip"/>.</summary>
    public async Task<SseEvent> NextOfAsync(string type)
    {
        while (true)
        {
            var e = await NextAsync() ?? throw new Xunit.Sdk.XunitException($"The stream ended before a {type} event.");
            if (e.Type == type) return e;
        }
    }

    private async Task<SseEvent?> ReadAsync()
    {
        string? id = null, type = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (type is null && data.Length == 0) continue; // a comment or retry block
                return new SseEvent(id, type ?? "message", data.ToString());
            }
            if (line.StartsWith(':')) continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": if (data.Length > 0) data.Append('\n'); data.Append(value); break;
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        response.Dispose();
        await Task.CompletedTask;
    }
}
