using System.Threading.Channels;
using Bgtask.Api.Notifications;
using Bgtask.Core.Storage;

namespace Bgtask.Api.Launches;

/// <summary>
/// Carries what worker processes print on stdout and stderr into their task logs, in batches, so a
/// chatty worker costs a few inserts a second rather than one per line.
/// </summary>
public sealed class TaskLogPump(IServiceScopeFactory scopes, RunnerCalls calls,
    ILogger<TaskLogPump> logger)
    : BackgroundService
{
    private readonly Channel<(long Pid, string Line)> _lines =
        Channel.CreateBounded<(long, string)>(new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Add(long pid, string line) => _lines.Writer.TryWrite((pid, line.Length > 8000 ? line[..8000] : line));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new Dictionary<long, List<string>>();
        while (await _lines.Reader.WaitToReadAsync(stoppingToken))
        {
            while (_lines.Reader.TryRead(out var item))
            {
                if (!batch.TryGetValue(item.Pid, out var lines)) batch[item.Pid] = lines = [];
                lines.Add(item.Line);
                if (lines.Count >= 1000) break;
            }
            await FlushAsync(batch, stoppingToken);
        }
    }

    private async Task FlushAsync(Dictionary<long, List<string>> batch, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
            foreach (var (pid, lines) in batch)
                await calls.AppendLogAsync(db, pid, lines, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not store worker output for {Count} tasks", batch.Count);
        }
        batch.Clear();
    }
}
