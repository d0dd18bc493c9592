using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Bgtask.Tests.Client;
using Microsoft.AspNetCore.TestHost;

namespace Bgtask.Tests.WorkerChannel;

/// <summary>A test's end of the worker channel: sends the contract's messages as JSON text, reads them back parsed.</summary>
internal sealed class ChannelSocket(WebSocket socket) : IAsyncDisposable
{
    private long _seq;

    public static async Task<ChannelSocket> OpenAsync(TestServer server, long pid, string? token = null, string? apiKey = null)
    {
        var client = server.CreateWebSocketClient();
        client.ConfigureRequest = r =>
        {
            if (token is not null) r.Headers.Authorization = $"Bearer {token}";
            if (apiKey is not null) r.Headers["X-Api-Key"] = apiKey;
        };
        var uri = new UriBuilder(server.BaseAddress) { Scheme = "ws", Path = $"/api/tasks/{pid}/channel" }.Uri;
        return new ChannelSocket(await client.ConnectAsync(uri, CancellationToken.None));
    }

    public WebSocketState State => socket.State;

    /// <summary>Sends a report (a PUT state body as JSON) and returns its <c>seq</c>.</summary>
    public async Task<long> ReportAsync(object state)
    {
        var seq = ++_seq;
        await SendAsync(new { type = "state", seq, state });
        return seq;
    }

    public Task ReceivedAsync(long delivery) => SendAsync(new { type = "received", delivery });

    public Task SendTextAsync(string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message, Contract.Json));

    /// <summary>The next message, or null when the service closed the channel; fails after the deadline.</summary>
    public async Task<JsonElement?> NextAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        var buffer = new byte[64 * 1024];
        var count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(count), limit.Token);
            count += result.Count;
        } while (!result.EndOfMessage);
        if (result.MessageType == WebSocketMessageType.Close) return null;
        return JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
    }

    /// <summary>The next message of <paramref name="type"/>, skipping others (a config delivery, say).</summary>
    public async Task<JsonElement> NextOfTypeAsync(string type)
    {
        while (true)
        {
            var message = await NextAsync() ?? throw new Xunit.Sdk.XunitException($"The channel closed before a '{type}' message.");
            if (message.GetProperty("type").GetString() == type) return message;
        }
    }

    public WebSocketCloseStatus? CloseStatus => socket.CloseStatus;

    public async ValueTask DisposeAsync()
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, limit.Token); }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException) { socket.Abort(); }
        }
        socket.Dispose();
    }
}
