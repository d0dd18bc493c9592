using System.Net;
using Bgtask.Worker.Sdk;

namespace Bgtask.Worker.Client;

/// <summary>
/// The worker's side of the HTTP contract with the worker channel in front: periodic reports and the signals read go
/// over one WebSocket (<c>GET api/tasks/{pid}/channel</c>) while it is open; everything else, and all of it whenever
/// the channel is missing (an older service: 404) or fails, goes through <see cref="HttpTaskChannel"/>. A failed channel
/// is tried again later. Signals keep their guarantees across the switch: one the channel delivered is never handed
/// to the task a second time by the HTTP read (the service returns unacknowledged ones to the queue).
/// </summary>
public sealed class SocketTaskChannel : ITaskChannel
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RetryAfterRefusal = TimeSpan.FromMinutes(5); // no channel there (404) or not allowed

    private readonly HttpClient _client;
    private readonly HttpTaskChannel _http;
    private readonly Uri _uri;
    private readonly DeliveredSignals _delivered = new();
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ChannelLink? _link;
    private DateTime _retryAt;

    public SocketTaskChannel(HttpClient http, long pid, RetryWindow retry)
    {
        _client = http;
        _http = new HttpTaskChannel(http, pid, retry) { AlreadyDelivered = _delivered.Contains };
        var address = new UriBuilder(new Uri(http.BaseAddress!, $"api/tasks/{pid}/channel"));
        address.Scheme = address.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        _uri = address.Uri;
    }

    /// <summary>Whether a worker process uses the channel: on unless <c>BGTASK_CHANNEL=off</c> (HTTP routes only).</summary>
    public static bool Enabled => !string.Equals(Environment.GetEnvironmentVariable("BGTASK_CHANNEL"), "off",
        StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the channel is open now (for tests and diagnostics).</summary>
    public bool IsChannelOpen => _link is { IsOpen: true };

    public Task<TaskStart> StartAsync(CancellationToken ct) => _http.StartAsync(ct);

    public async Task ReportAsync(ProgressReport report, bool retry, CancellationToken ct)
    {
        // The final report goes with the ending, over HTTP, retried as the ending is.
        if (!retry && await LinkAsync(ct) is { } link)
        {
            try
            {
                var status = await link.ReportAsync(HttpTaskChannel.Body(report), ct);
                _http.EnsureTaskAlive((HttpStatusCode)status);
                if (status is >= 200 and < 300) return;
                throw new HttpRequestException($"The service answered {status} to a report on the worker channel.", null,
                    (HttpStatusCode)status);
            }
            catch (ChannelLostException)
            {
                Drop(link);
            }
        }
        await _http.ReportAsync(report, retry, ct);
    }

    public async Task<SignalBatch> ReadSignalsAsync(TimeSpan wait, int knownVersion, CancellationToken ct)
    {
        if (await LinkAsync(ct) is { } link)
        {
            try
            {
                return await ReadAsync(link, wait, knownVersion, ct);
            }
            catch (ChannelLostException)
            {
                Drop(link);
            }
        }
        return await _http.ReadSignalsAsync(wait, knownVersion, ct);
    }

    /// <summary>What came down within the wait, merged: every delivery's new signals in order, the newest config version.</summary>
    private async Task<SignalBatch> ReadAsync(ChannelLink link, TimeSpan wait, int knownVersion, CancellationToken ct)
    {
        if (await link.NextAsync(wait, ct) is not { } first) return new SignalBatch([], knownVersion, false);
        var signals = new List<string>();
        var version = knownVersion;
        var ended = false;
        long delivery = 0;
        for (var message = first; message is not null; message = link.TryNext(out var more) ? more : null)
        {
            if (message.Type == "ended")
            {
                ended = true;
                continue;
            }
            if (message.Type != "signals") continue;
            foreach (var s in message.Signals ?? [])
                if (_delivered.Add(s.Id)) signals.Add(s.Signal);
            version = message.ConfigVersion;
            delivery = message.Delivery;
        }
        if (delivery > 0)
        {
            // Handed to the task when this returns. A lost receipt costs nothing: the service hands the signals
            // back when the channel closes, and the ids above keep the task from seeing them twice.
            try { await link.ReceivedAsync(delivery, ct); }
            catch (ChannelLostException) { Drop(link); }
        }
        return new SignalBatch(signals, version, ended);
    }

    public Task<ConfigSnapshot> GetConfigAsync(CancellationToken ct) => _http.GetConfigAsync(ct);

    public Task AppendLogAsync(IReadOnlyList<string> lines, CancellationToken ct) => _http.AppendLogAsync(lines, ct);

    public async Task EndAsync(TaskEnding ending, string? message, CancellationToken ct)
    {
        await _http.EndAsync(ending, message, ct);
        if (_link is { } link) await link.DisposeAsync();
    }

    private async Task<ChannelLink?> LinkAsync(CancellationToken ct)
    {
        if (_link is { IsOpen: true } open) return open;
        if (!Enabled || DateTime.UtcNow < _retryAt) return null;
        await _connecting.WaitAsync(ct);
        try
        {
            if (_link is { IsOpen: true } opened) return opened;
            if (DateTime.UtcNow < _retryAt) return null;
            try
            {
                return _link = await ChannelLink.ConnectAsync(_uri, _client.DefaultRequestHeaders, ConnectTimeout, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // No channel there (an older service: 404) or not for this credential: HTTP for a good while.
                var refused = e is ChannelRefusedException { Status: >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError };
                _retryAt = DateTime.UtcNow + (refused ? RetryAfterRefusal : RetryAfterFailure);
                return null;
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    private void Drop(ChannelLink link)
    {
        if (Interlocked.CompareExchange(ref _link, null, link) != link) return;
        _retryAt = DateTime.UtcNow + RetryAfterFailure;
        _ = link.DisposeAsync().AsTask();
    }

    /// <summary>The ids of the signals handed to the task lately (enough to span one switch to HTTP and back).</summary>
    private sealed class DeliveredSignals
    {
        private const int Keep = 1024;
        private readonly HashSet<long> _ids = [];
        private readonly Queue<long> _order = new();

        public bool Add(long id)
        {
            lock (_ids)
            {
                if (!_ids.Add(id)) return false;
                _order.Enqueue(id);
                if (_order.Count > Keep) _ids.Remove(_order.Dequeue());
                return true;
            }
        }

        public bool Contains(long id)
        {
            lock (_ids) return _ids.Contains(id);
        }
    }
}
