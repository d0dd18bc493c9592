using System.Collections.Concurrent;
using Bgtask.Core.Storage;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Auth;

/// <summary>
/// The worker tokens of the live tasks this replica knows of, by hash: a worker's frequent calls (state,
/// signals) are authenticated without a database read. Only an optimisation: a miss reads the database, which
/// has every token's hash. A task that ends or is removed here is forgotten at once (its token then goes
/// through the database again, where it stays valid while the record exists); one ended by another replica
/// stays until the cache is full and is cleared, and the routes it then reaches answer as its record says.
/// Off where pids can repeat (MEMORY tables): a pid handed out again by another replica must not be reachable
/// with its previous owner's token.
/// </summary>
public sealed class WorkerTokenCache(IOptions<StorageOptions> storage)
{
    private readonly bool _enabled = !storage.Value.PidsMayRepeat;
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<string, long> _pids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, string> _hashes = new();

    public bool TryFind(string hash, out long pid) => _pids.TryGetValue(hash, out pid);

    public void Remember(string hash, long pid)
    {
        if (!_enabled) return;
        if (_pids.Count >= Capacity)
        {
            _pids.Clear();
            _hashes.Clear();
        }
        Forget(pid);
        _hashes[pid] = hash;
        _pids[hash] = pid;
    }

    /// <summary>The task ended or was removed.</summary>
    public void Forget(long pid)
    {
        if (_hashes.TryRemove(pid, out var hash)) _pids.TryRemove(new KeyValuePair<string, long>(hash, pid));
    }
}
