using System.Buffers;
using System.Net;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;

namespace Bgtask.Worker.Client;

/// <summary>The channel was closed or lost: the caller goes back to the HTTP routes.</summary>
internal sealed class ChannelLostException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The service answered the upgrade with <see cref="Status"/> instead of a WebSocket.</summary>
internal sealed class ChannelRefusedException(HttpStatusCode status, Exception inner)
    : Exception($"The service answered {(int)status} instead of opening the worker channel.", inner)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// One open worker channel: reports wait for their ack (they are applied in the order sent), signal deliveries and
/// the task's end queue up as they come for the signals reader. Any failure closes it for good.
/// </summary>
internal sealed class ChannelLink : IAsyncDisposable
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(10);
    private readonly ClientWebSocket _socket;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<WireChannelDown>> _acks = new();
    private readonly Channel<WireChannelDown> _down = Channel.CreateUnbounded<WireChannelDown>(new() { SingleWriter = true });
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private long _seq;

    private ChannelLink(ClientWebSocket socket)
    {
        _socket = socket;
        _ = ReceiveAsync();
    }

    public bool IsOpen => !_closed.IsCancellationRequested;

    /// <summary>Opens the channel with the HTTP client's credentials (the worker token, or an API key).</summary>
    public static async Task<ChannelLink> ConnectAsync(Uri uri, HttpRequestHeaders headers, TimeSpan timeout,
        CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        foreach (var name in new[] { "Authorization", "X-Api-Key", "traceparent" })
            if (headers.TryGetValues(name, out var values)) socket.Options.SetRequestHeader(name, string.Join(",", values));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(uri, limit.Token);
            return new ChannelLink(socket);
        }
        catch (Exception e)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            if (status is not 0 and not HttpStatusCode.SwitchingProtocols) throw new ChannelRefusedException(status, e);
            throw;
        }
    }

    /// <summary>Sends a report and waits for its ack; the status is what <c>PUT state</c> would have answered.</summary>
    public async Task<int> ReportAsync(WireState state, CancellationToken ct)
    {
        var seq = Interlocked.Increment(ref _seq);
        var ack = new TaskCompletionSource<WireChannelDown>(TaskCreationOptions.RunContinuationsAsynchronously);
        _acks[seq] = ack;
        try
        {
            await SendAsync(new WireChannelState(seq, state), ChannelWireJson.Default.WireChannelState, ct);
            var answer = await ack.Task.WaitAsync(AckTimeout, ct);
            return answer.Status.ValueKind == JsonValueKind.Number ? answer.Status.GetInt32() : 0;
        }
        catch (TimeoutException e)
        {
            await DisposeAsync();
            throw new ChannelLostException("The service did not acknowledge a report on the worker channel.", e);
        }
        finally
        {
            _acks.TryRemove(seq, out _);
        }
    }

    /// <summary>The next message other than an ack (signals or ended), or null when none came within <paramref name="wait"/>.</summary>
    public async Task<WireChannelDown?> NextAsync(TimeSpan wait, CancellationToken ct)
    {
        if (_down.Reader.TryRead(out var ready)) return ready;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(wait);
        try
        {
            if (!await _down.Reader.WaitToReadAsync(limit.Token)) throw new ChannelLostException("The worker channel closed.");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        return _down.Reader.TryRead(out var next) ? next : null;
    }

    public bool TryNext(out WireChannelDown? message) => _down.Reader.TryRead(out message);

    /// <summary>Tells the service the delivery's signals reached the task: it deletes them.</summary>
    public Task ReceivedAsync(long delivery, CancellationToken ct) =>
        SendAsync(new WireChannelReceived(delivery), ChannelWireJson.Default.WireChannelReceived, ct);

    private async Task SendAsync<T>(T message, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, type);
        await _sending.WaitAsync(ct);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
        // A send on a broken connection can also surface as a cancellation that nobody asked for.
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or InvalidOperationException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new ChannelLostException("The worker channel was lost.", e);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        Exception? lost = null;
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    result = await _socket.ReceiveAsync(buffer.AsMemory(count), _closed.Token);
                    count += result.Count;
                } while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close) return;
                var message = JsonSerializer.Deserialize(buffer.AsSpan(0, count), ChannelWireJson.Default.WireChannelDown);
                if (message?.Type == "ack")
                {
                    if (_acks.TryGetValue(message.Seq, out var ack)) ack.TrySetResult(message);
                }
                else if (message is not null)
                {
                    _down.Writer.TryWrite(message);
                }
            }
        }
        catch (Exception e)
        {
            lost = e;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await _closed.CancelAsync();
            var error = new ChannelLostException("The worker channel closed.", lost);
            _down.Writer.TryComplete();
            foreach (var ack in _acks.Values) ack.TrySetException(error);
            if (_socket.State == WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try { await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token); }
                catch (Exception) { /* gone either way */ }
            }
        }
    }

    /// <summary>Closes the channel (a normal close when it is still open); the service hands back what it had claimed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try { await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token); }
            catch (Exception) { /* gone either way */ }
        }
        await _closed.CancelAsync();
        _socket.Abort();
    }
}
