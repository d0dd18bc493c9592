using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Cluster;

/// <summary>
/// The other live nodes (kept current by the node lease) and the calls to them: notes about changed tasks, sent in
/// order to each node through a queue of its own (a slow or dead node holds up no other), and the kill of a runner
/// another node holds. Everything here is a fast path: a note that is lost costs a held read at most its recheck
/// interval, and a node that cannot be reached for a kill leaves it to the worker (which ends when it learns its
/// task has ended) and to that node's own start.
/// </summary>
public sealed class ClusterPeers : IDisposable
{
    private const int QueuedNotes = 10_000;
    private const int NotesPerCall = 500;
    private readonly ClusterOptions _options;
    private readonly ILogger<ClusterPeers> _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Link> _links = new();
    private readonly CancellationTokenSource _stopping = new();

    public ClusterPeers(IOptions<ClusterOptions> options, ILogger<ClusterPeers> logger)
    {
        _options = options.Value;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = _options.CallTimeout,
        })
        { Timeout = _options.CallTimeout };
        if (_options.Secret is { } secret)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(NodeCalls.AuthorizationScheme, secret);
    }

    public bool Enabled => _options.Enabled;

    /// <summary>Whether any other node is live: cheap, for the hot paths that would otherwise serialize a note for nobody.</summary>
    public bool HasPeers => !_links.IsEmpty;

    /// <summary>Whether <paramref name="node"/> is another live node (as of the last lease renewal).</summary>
    public bool IsLive(string node) => _links.ContainsKey(node);


    /// <summary>Called by the node lease with the live nodes other than this one, after each renewal.</summary>
    public void Update(IReadOnlyList<Peer> live)
    {
        foreach (var peer in live)
        {
            if (_links.TryGetValue(peer.Name, out var link) && link.Peer.Url == peer.Url) continue;
            var fresh = new Link(this, peer);
            if (_links.TryGetValue(peer.Name, out var old) && _links.TryUpdate(peer.Name, fresh, old)) old.Close();
            else if (!_links.TryAdd(peer.Name, fresh)) fresh.Close();
            else _logger.LogInformation("Node {Node} at {Url} is a peer", peer.Name, peer.Url);
        }
        foreach (var (name, link) in _links)
            if (!live.Any(p => p.Name == name) && _links.TryRemove(new KeyValuePair<string, Link>(name, link)))
            {
                _logger.LogInformation("Node {Node} is no longer live", name);
                link.Close();
            }
    }

    /// <summary>Queues a note for every live peer; never waits.</summary>
    public void Tell(NodeNote note)
    {
        foreach (var link in _links.Values) link.Queue(note);
    }

    /// <summary>
    /// Asks <paramref name="node"/> to end the runner it holds for a task already marked ended: its answer
    /// (<c>killed</c>), or null when the node is not a live peer or did not answer.
    /// </summary>
    public Task<bool?> KillRunnerAsync(string node, long pid) => AskKillAsync(node, pid, NodeCalls.RunnerKillPath(pid));

    /// <summary>Asks <paramref name="node"/> to kill the task it runs (mark and end): <c>killed</c>, or null as above.</summary>
    public Task<bool?> AskKillAsync(string node, long pid) => AskKillAsync(node, pid, NodeCalls.KillPath(pid));

    private async Task<bool?> AskKillAsync(string node, long pid, string path) =>
        await PostAsync(node, path, async (response, ct) => response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<NodeKillResult>(ct))?.Killed
            : null);

    /// <summary>
    /// Asks <paramref name="node"/> to do a task's action it alone can (freeze, thaw: its host's processes): the status
    /// and problem detail it answered, or null when the node is not a live peer or did not answer.
    /// </summary>
    public Task<NodeAnswer?> AskAsync(string node, string path) =>
        PostAsync(node, path, async (response, ct) =>
        {
            string? detail = null;
            if (!response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                detail = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct))
                    .TryGetProperty("detail", out var d) ? d.GetString() : null;
            return new NodeAnswer((int)response.StatusCode, detail);
        });

    /// <summary>
    /// One call to a live peer and what <paramref name="read"/> makes of its answer; default (null) when the node is
    /// not a live peer or did not answer.
    /// </summary>
    private async Task<T?> PostAsync<T>(string node, string path, Func<HttpResponseMessage, CancellationToken, Task<T?>> read)
    {
        if (!_links.TryGetValue(node, out var link)) return default;
        try
        {
            using var response = await _http.PostAsync(new Uri(link.Peer.Url, path), null, _stopping.Token);
            return await read(response, _stopping.Token);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            _logger.LogWarning("Node {Node} did not answer {Path}: {Error}", node, path, e.Message);
            return default;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var link in _links.Values) link.Close();
        _http.Dispose();
        _stopping.Dispose();
    }

    /// <summary>One peer's queue of notes and the loop that sends them, a batch per call.</summary>
    private sealed class Link
    {
        private readonly ClusterPeers _owner;
        private readonly Channel<NodeNote> _queue = Channel.CreateBounded<NodeNote>(
            new BoundedChannelOptions(QueuedNotes) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });

        public Link(ClusterPeers owner, Peer peer)
        {
            _owner = owner;
            Peer = peer;
            _ = Task.Run(SendAsync);
        }

        public Peer Peer { get; }

        public void Queue(NodeNote note) => _queue.Writer.TryWrite(note);

        public void Close() => _queue.Writer.TryComplete();

        private async Task SendAsync()
        {
            var uri = new Uri(Peer.Url, NodeCalls.NotesPath);
            var from = _owner._options.NodeName;
            var batch = new List<NodeNote>(NotesPerCall);
            var failures = 0;
            try
            {
                while (await _queue.Reader.WaitToReadAsync(_owner._stopping.Token))
                {
                    while (batch.Count < NotesPerCall && _queue.Reader.TryRead(out var note)) batch.Add(note);
                    try
                    {
                        using var response = await _owner._http.PostAsJsonAsync(uri, new NodeNotes(from, batch), _owner._stopping.Token);
                        response.EnsureSuccessStatusCode();
                        failures = 0;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !_owner._stopping.IsCancellationRequested)
                    {
                        // Dropped: the database has every change, and the peer's held reads re-read it.
                        if (failures++ == 0)
                            _owner._logger.LogWarning("Notes to node {Node} failed: {Error}", Peer.Name, e.Message);
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * failures)), _owner._stopping.Token);
                    }
                    batch.Clear();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
