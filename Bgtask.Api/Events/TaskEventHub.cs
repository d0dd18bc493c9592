using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Events;

/// <summary>
/// The events this service instance announced, numbered 1, 2, 3... and kept in a bounded ring buffer.
/// An event id is <c>{instance}.{seq}</c>: a client that reconnects to the same instance with an id still in
/// the buffer gets exactly the events after it; with any other id (older than the buffer, or another replica's,
/// or from before a restart) it gets a snapshot of the current task(s) first.
/// </summary>
public sealed class TaskEventHub(IOptions<EventOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    private readonly Lock _lock = new();
    private readonly TaskEvent?[] _ring = new TaskEvent?[options.Value.BufferSize];
    private readonly List<Subscription> _subscribers = [];
    private long _last;
    private long _oldest = 1;
    private long _bytes;

    /// <summary>Tells this instance's ids from another's (or a previous run's).</summary>
    public string Instance { get; } = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4));

    public string IdOf(long seq) => string.Create(CultureInfo.InvariantCulture, $"{Instance}.{seq}");

    public string Serialize<T>(T value) => JsonSerializer.Serialize(value, json.Value.SerializerOptions);

    /// <summary>An estimate of a lazily serialized event's JSON (a task resource is about 600 characters).</summary>
    internal const int LazySize = 1024;

    /// <param name="lazy">
    /// Serialize only when a stream sends it: for small, frequent events (progress), most of which nobody watches.
    /// It counts <see cref="LazySize"/> against the byte limit; anything that can be big (log lines) is serialized at once.
    /// </param>
    public void Publish<T>(string type, long pid, T data, bool terminal = false, bool lazy = false)
    {
        var payload = lazy ? null : Serialize(data);
        Add(type, pid, terminal, payload?.Length ?? LazySize, payload is null ? Later(data) : Ready(payload));
    }

    /// <summary>An event another node announced, as it serialized it: numbered here like this instance's own.</summary>
    public void PublishSerialized(string type, long pid, string json, bool terminal) =>
        Add(type, pid, terminal, json.Length, Ready(json));

    private void Add(string type, long pid, bool terminal, int size, Func<string> serialize)
    {
        lock (_lock)
        {
            var e = new TaskEvent(++_last, type, pid, terminal, size, serialize);
            // Bounded by count (the ring) and by size: big log events push the oldest out sooner.
            if (_last - _oldest >= _ring.Length) Evict();
            _ring[e.Seq % _ring.Length] = e;
            _bytes += size;
            while (_bytes > options.Value.BufferBytes && _oldest < _last) Evict();
            foreach (var s in _subscribers) s.Offer(e);
        }
    }

    // Separate closures: an event serialized at once must not keep its data alive as well.
    private Func<string> Later<T>(T data) => () => Serialize(data);
    private static Func<string> Ready(string json) => () => json;

    /// <summary>
    /// Subscribes to the events of one task (or all when <paramref name="pid"/> is null). The backlog is the
    /// buffered events after <paramref name="lastEventId"/>; <see cref="Subscription.NeedsSnapshot"/> when that id
    /// cannot be resumed from. Taken under one lock with the registration, so no event falls in between.
    /// </summary>
    public Subscription Subscribe(long? pid, string? lastEventId)
    {
        lock (_lock)
        {
            var subscription = new Subscription(this, pid, options.Value.ClientQueue, _last);
            if (lastEventId is not null)
            {
                if (TryParse(lastEventId, out var after) && after <= _last && after + 1 >= _oldest)
                {
                    for (var seq = after + 1; seq <= _last; seq++)
                        if (_ring[seq % _ring.Length] is { } e && (pid is null || e.Pid == pid)) subscription.Backlog.Add(e);
                }
                else subscription.NeedsSnapshot = true;
            }
            _subscribers.Add(subscription);
            return subscription;
        }
    }

    private void Evict()
    {
        ref var slot = ref _ring[_oldest % _ring.Length];
        _bytes -= slot?.Size ?? 0;
        slot = null;
        _oldest++;
    }

    private bool TryParse(string id, out long seq)
    {
        seq = 0;
        var dot = id.IndexOf('.');
        return dot > 0 && id.AsSpan(0, dot).SequenceEqual(Instance) &&
               long.TryParse(id.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_lock) _subscribers.Remove(subscription);
    }

    /// <summary>One open stream: its backlog, then the live events as they are published.</summary>
    public sealed class Subscription(TaskEventHub hub, long? pid, int capacity, long current) : IDisposable
    {
        private readonly Channel<TaskEvent> _live = Channel.CreateBounded<TaskEvent>(
            new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });

        public List<TaskEvent> Backlog { get; } = [];
        public bool NeedsSnapshot { get; internal set; }

        /// <summary>The last event published when this subscription began: the id to give a snapshot.</summary>
        public long Current => current;

        public ChannelReader<TaskEvent> Live => _live.Reader;

        /// <summary>A client too slow to keep up is cut off; it reconnects with its last id and resumes.</summary>
        internal void Offer(TaskEvent e)
        {
            if (pid is not null && e.Pid != pid) return;
            if (!_live.Writer.TryWrite(e)) _live.Writer.TryComplete();
        }

        public void Dispose()
        {
            hub.Unsubscribe(this);
            _live.Writer.TryComplete();
        }
    }
}
