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
    // Full, the pump makes the writer wait (the program then blocks on its full pipe): no line is dropped.
    private readonly Channel<(long Pid, string? Line, TaskCompletionSource? Flushed)> _lines =
        Channel.CreateBounded<(long, string?, TaskCompletionSource?)>(
            new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

    public void Add(long pid, string line)
    {
        var item = (pid, line.Length > 8000 ? line[..8000] : line, (TaskCompletionSource?)null);
        // Called from a process's output reader: waiting here is the back-pressure that keeps every line.
        if (!_lines.Writer.TryWrite(item)) _lines.Writer.WriteAsync(item).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Completes when every line added before it is stored (a command's ending is logged after its output).</summary>
    public async Task FlushAsync(long pid)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _lines.Writer.WriteAsync((pid, null, flushed));
        await Task.WhenAny(flushed.Task, Task.Delay(TimeSpan.FromSeconds(30)));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new Dictionary<long, List<string>>();
        while (await _lines.Reader.WaitToReadAsync(stoppingToken))
        {
            TaskCompletionSource? flushed = null;
            while (_lines.Reader.TryRead(out var item))
            {
                if (item.Flushed is { } done) { flushed = done; break; }
                if (!batch.TryGetValue(item.Pid, out var lines)) batch[item.Pid] = lines = [];
                lines.Add(item.Line!);
                if (lines.Count >= 1000) break;
            }
            await FlushAsync(batch, stoppingToken);
            flushed?.TrySetResult();
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
