using Bgtask.Core.Storage;
using Bgtask.Core.Statements;

namespace Bgtask.Api.Telemetry;

/// <summary>
/// The pending tasks in the database, counted when a metrics scrape asks and the last count is more than a few
/// seconds old: a scrape never waits on (or hammers) the database; it gets the count of the previous refresh
/// (the first scrape waits for one). Nothing is counted while nobody scrapes.
/// </summary>
public sealed class TaskCounts(IServiceScopeFactory scopes, TimeProvider time, ILogger<TaskCounts> logger)
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private readonly Lock _lock = new();
    private Task? _refresh;
    private long _pending;
    private long _countedAt = long.MinValue;

    public long Pending
    {
        get
        {
            Task? first = null;
            lock (_lock)
            {
                var stale = _countedAt == long.MinValue || time.GetElapsedTime(_countedAt) >= Every;
                if (stale && _refresh is null or { IsCompleted: true })
                {
                    _refresh = RefreshAsync();
                    if (_countedAt == long.MinValue) first = _refresh;
                }
            }
            first?.Wait(Every);
            return Volatile.Read(ref _pending);
        }
    }

    private async Task RefreshAsync()
    {
        await Task.Yield(); // off the scrape's thread
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            Volatile.Write(ref _pending, await db.CountPendingAsync(CancellationToken.None));
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Counting pending tasks failed");
        }
        finally
        {
            lock (_lock) _countedAt = time.GetTimestamp();
        }
    }
}
