using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Launches;

/// <summary>
/// Group commit of launches: the launches that arrive while one transaction is being written are stored together
/// in the next one (<see cref="TaskRecords.StoreLaunchesAsync"/>), and each caller still returns only once its own
/// launch is durably stored. A launch that finds nothing being written is written at once by its own caller (it
/// waits for nothing); the group that gathered meanwhile is written next, off that caller's path. One transaction
/// for many launches is one commit instead of many (SQLite has one writer; MariaDB and Galera one flush and one
/// certification), so concurrent launches no longer queue one commit each. Retries stay the transaction's own: a
/// deadlock or a certification failure writes the whole group again, each launch once.
/// </summary>
public sealed class LaunchCommitter(IServiceScopeFactory scopes, IOptions<StorageOptions> storage, ILogger<LaunchCommitter> logger)
{
    /// <summary>A group takes launches up to this many tasks (one launch of more goes alone): a bounded transaction.</summary>
    private const int MaxGroupTasks = 1000;

    private readonly Lock _lock = new();
    private readonly Queue<Pending> _queue = new();
    private bool _writing;

    private sealed class Pending(IReadOnlyList<(BackgroundTask Task, string Config)> launch, CancellationToken ct)
    {
        public IReadOnlyList<(BackgroundTask Task, string Config)> Launch { get; } = launch;
        public CancellationToken Ct { get; } = ct;
        public TaskCompletionSource<bool> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>How many launches wait for the transaction being written to end (they go in the next one).</summary>
    public int Waiting
    {
        get
        {
            lock (_lock) return _queue.Count;
        }
    }

    /// <summary>Stores the launch (its tasks get their pids) with whatever other launches are waiting.</summary>
    /// <returns>False when an exclusive key it asks for is held by a live task: nothing of it stored.</returns>
    /// <remarks>
    /// Cancelled while it waits for a group, the launch is not stored; once its group is being written, it is
    /// stored whatever the token says (its slot and runner are the caller's to settle after this returns).
    /// </remarks>
    public async Task<bool> StoreAsync(IReadOnlyList<(BackgroundTask Task, string Config)> launch, CancellationToken ct)
    {
        var pending = new Pending(launch, ct);
        bool lead;
        lock (_lock)
        {
            _queue.Enqueue(pending);
            lead = !_writing;
            _writing = true;
        }
        if (lead)
        {
            await WriteGroupAsync();
            // Launches that came while this group was written go next, on a thread of their own.
            if (!StopIfIdle()) _ = Task.Run(WriteGroupsAsync, CancellationToken.None);
        }
        return await pending.Stored.Task;
    }

    private async Task WriteGroupsAsync()
    {
        do await WriteGroupAsync();
        while (!StopIfIdle());
    }

    /// <summary>Whether nothing is waiting; then the next launch writes its own group.</summary>
    private bool StopIfIdle()
    {
        lock (_lock)
        {
            if (_queue.Count > 0) return false;
            _writing = false;
            return true;
        }
    }

    /// <summary>Writes what is waiting as one transaction and answers each of its launches. Never throws.</summary>
    private async Task WriteGroupAsync()
    {
        var group = Take();
        if (group.Count == 0) return;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            var stored = await db.StoreLaunchesAsync(group.Select(p => p.Launch).ToList(), storage.Value.PidsMayRepeat,
                CancellationToken.None);
            for (var i = 0; i < group.Count; i++) group[i].Stored.TrySetResult(stored[i]);
            if (group.Count > 1) logger.LogDebug("Stored {Launches} launches in one transaction", group.Count);
        }
        catch (Exception e)
        {
            // The group's transaction failed after its retries: every launch of it was rolled back, each caller hears why.
            foreach (var pending in group) pending.Stored.TrySetException(e);
        }
    }

    private List<Pending> Take()
    {
        var group = new List<Pending>();
        var tasks = 0;
        lock (_lock)
        {
            while (_queue.TryPeek(out var next) && (group.Count == 0 || tasks + next.Launch.Count <= MaxGroupTasks))
            {
                _queue.Dequeue();
                if (next.Ct.IsCancellationRequested)
                {
                    next.Stored.TrySetCanceled(next.Ct);
                    continue;
                }
                group.Add(next);
                tasks += next.Launch.Count;
            }
        }
        return group;
    }
}
