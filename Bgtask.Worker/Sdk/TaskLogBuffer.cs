using System.Collections.Concurrent;

namespace Bgtask.Worker.Sdk;

/// <summary>
/// Log lines waiting to be sent in batches. Bounded: if the service stays away long enough for it to
/// fill, the oldest lines give way and a line says how many were dropped.
/// </summary>
internal sealed class TaskLogBuffer(int capacity = 100_000, int maxLineBytes = 8 * 1024)
{
    private readonly ConcurrentQueue<string> _lines = new();
    private int _count;
    private long _dropped;

    public bool IsEmpty => _lines.IsEmpty && Interlocked.Read(ref _dropped) == 0;

    public void Add(string line)
    {
        // The service refuses a line over its limit; cut it (by chars, a safe bound for UTF-8 bytes).
        if (line.Length > maxLineBytes / 4 && System.Text.Encoding.UTF8.GetByteCount(line) > maxLineBytes)
            line = line[..(maxLineBytes / 4)] + "…";
        _lines.Enqueue(line);
        if (Interlocked.Increment(ref _count) > capacity && _lines.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _count);
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Takes up to <paramref name="max"/> lines, oldest first.</summary>
    public List<string> Take(int max)
    {
        var batch = new List<string>(Math.Min(max, Volatile.Read(ref _count) + 1));
        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0) batch.Add($"... {dropped} log lines dropped while the service was unreachable");
        while (batch.Count < max && _lines.TryDequeue(out var line))
        {
            Interlocked.Decrement(ref _count);
            batch.Add(line);
        }
        return batch;
    }
}
