using Bgtask.Core.Statements;
using Bgtask.Core.Storage;

namespace Bgtask.Api.Telemetry;

/// <summary>
/// Counts the pending tasks in the database every few seconds, so a metrics scrape never waits on (or
/// hammers) the database. Only started when metrics are on.
/// </summary>
public sealed class TaskCounts(IServiceScopeFactory scopes, ILogger<TaskCounts> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    public long Pending { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
                Pending = await db.CountPendingAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug(e, "Counting pending tasks failed");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
