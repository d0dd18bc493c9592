namespace Bgtask.Worker.Sdk;

/// <summary>
/// Runs one task for one pid: marks it started, runs the task's code with a <see cref="TaskContext"/>, and
/// meanwhile receives signals (held <c>wait</c> requests, not polling) and reports progress when it changed
/// (coalesced), else only the heartbeat. The ending (finished, stopped, error) is reported last, after the final
/// progress and the log, and is never dropped while the channel can retry.
/// </summary>
public static class TaskRunner
{
    private const int LogBatch = 1000;

    /// <returns>How the task ended, or null when it was killed or ended by the service.</returns>
    public static async Task<TaskEnding?> RunAsync(TaskCatalog catalog, ITaskChannel channel, long pid,
        RunnerOptions options, CancellationToken kill, Action<TaskContext>? onStarted = null)
    {
        var start = await channel.StartAsync(kill);
        var log = new TaskLogBuffer();
        var reporter = new Reporter(channel, log);

        if (!catalog.TryGet(start.Task, out var entry))
        {
            var unknown = $"unknown task '{start.Task}' in this worker";
            log.Add($"error {unknown}");
            await reporter.FlushLogAsync(kill);
            await channel.EndAsync(TaskEnding.Error, unknown, kill);
            return TaskEnding.Error;
        }

        TaskContext? context = null;
        context = new TaskContext(pid, start.Task, start.Config, log,
            () => reporter.ReportAsync(context!, force: true, final: false, kill), kill);
        using var loops = CancellationTokenSource.CreateLinkedTokenSource(kill);
        log.Add("start");
        onStarted?.Invoke(context);
        // The task's code first: the listener's first read may be a synchronous database call (in-process runs).
        var running = Task.Run(() => entry.Create().RunAsync(context), CancellationToken.None);
        var listening = ListenAsync(channel, context, start.Config.Version, options, loops.Token);
        var reporting = reporter.RunAsync(context, options, loops.Token);

        TaskEnding ending;
        string? message = null;
        try
        {
            await running;
            ending = TaskEnding.Finished;
            log.Add("finish");
        }
        catch (OperationCanceledException) when (context.EndedElsewhere || kill.IsCancellationRequested)
        {
            await loops.CancelAsync();
            await Task.WhenAll(listening, reporting);
            await reporter.TryFlushLogAsync(CancellationToken.None);
            return null;
        }
        catch (OperationCanceledException) when (context.StopRequested)
        {
            ending = TaskEnding.Stopped;
            message = "stopped by signal";
            log.Add("stop");
        }
        catch (Exception e)
        {
            ending = TaskEnding.Error;
            message = string.IsNullOrWhiteSpace(e.Message) ? e.GetType().Name : e.Message;
            log.Add($"error {message}");
            foreach (var line in e.ToString().Split('\n')) log.Add(line.TrimEnd('\r'));
        }

        await loops.CancelAsync();
        await Task.WhenAll(listening, reporting);
        if (context.EndedElsewhere) return null;
        await reporter.ReportAsync(context, force: true, final: true, kill);
        await reporter.FlushLogAsync(kill);
        await channel.EndAsync(ending, message, kill);
        return ending;
    }

    private static async Task ListenAsync(ITaskChannel channel, TaskContext context, int version,
        RunnerOptions options, CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var batch = await channel.ReadSignalsAsync(options.SignalWait, version, ct);
                backoff = TimeSpan.FromMilliseconds(250);
                foreach (var signal in batch.Signals) context.Deliver(signal);
                if (batch.Ended)
                {
                    context.EndElsewhere();
                    return;
                }
                if (batch.ConfigVersion != version)
                {
                    var config = await channel.GetConfigAsync(ct);
                    version = config.Version;
                    context.Deliver(config);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (TaskEndedException)
            {
                context.EndElsewhere();
                return;
            }
            catch (Exception)
            {
                // The service is away: try again a little later (the channel logs nothing here; the
                // reporter's own failures say the same).
                try { await Task.Delay(backoff, ct); } catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>
    /// Sends progress when it changed (or a heartbeat is due) and the log in batches: at most one report per report
    /// interval while the task changes, and while it does not, nothing but the heartbeat. It does not tick in between:
    /// it waits for the task's next change (<see cref="TaskContext.WaitForChangeAsync"/>), which it then reports at once.
    /// </summary>
    private sealed class Reporter(ITaskChannel channel, TaskLogBuffer log)
    {
        private readonly ProcessMemory _memory = new();
        private readonly SemaphoreSlim _gate = new(1, 1);
        private ProgressReport? _lastSent;
        private long _lastSentAt = Environment.TickCount64;
        private List<string>? _unsent;

        public async Task RunAsync(TaskContext context, RunnerOptions options, CancellationToken ct)
        {
            var heartbeat = (long)options.HeartbeatInterval.TotalMilliseconds;
            var interval = (long)options.ReportInterval.TotalMilliseconds;
            Func<bool> news = () => HasNews(context);
            var lookedAt = Environment.TickCount64;
            try
            {
                while (true)
                {
                    // One look per report interval, counted from the last look (as a periodic timer would): a report
                    // that took longer than the interval is followed by the next look at once.
                    var wait = interval - (Environment.TickCount64 - lookedAt);
                    if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
                    ct.ThrowIfCancellationRequested();
                    var quiet = Environment.TickCount64 - Volatile.Read(ref _lastSentAt);
                    await context.WaitForChangeAsync(news, TimeSpan.FromMilliseconds(Math.Max(0, heartbeat - quiet)), ct);
                    lookedAt = Environment.TickCount64;
                    var heartbeatDue = Environment.TickCount64 - Volatile.Read(ref _lastSentAt) >= heartbeat;
                    await ReportAsync(context, heartbeatDue, final: false, ct);
                    await TryFlushLogAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
        }

        // Read without the gate: a report in flight at worst makes this true once more, and the next look finds nothing.
        private bool HasNews(TaskContext context) =>
            _lastSent is not { } last || last.OpTotal != context.OpTotal || last.OpFinished != context.OpFinished ||
            last.Sleeping != context.IsSleeping || !log.IsEmpty || _unsent is not null;

        public async Task ReportAsync(TaskContext context, bool force, bool final, CancellationToken ct)
        {
            await _gate.WaitAsync(ct);
            try
            {
                var (memory, peak) = _memory.Sample();
                var report = context.Snapshot(memory, peak);
                if (!force && _lastSent is { } last && last.OpTotal == report.OpTotal &&
                    last.OpFinished == report.OpFinished && last.Sleeping == report.Sleeping)
                    return;
                await channel.ReportAsync(report, final, ct);
                _lastSent = report;
                Volatile.Write(ref _lastSentAt, Environment.TickCount64);
            }
            catch (TaskEndedException)
            {
                context.EndElsewhere();
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Not sent: the next tick reports the newest state (reports coalesce).
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task<bool> TryFlushLogAsync(CancellationToken ct)
        {
            try
            {
                await FlushLogAsync(ct);
                return true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                return false;
            }
        }

        public async Task FlushLogAsync(CancellationToken ct)
        {
            while (true)
            {
                var batch = _unsent ?? log.Take(LogBatch);
                if (batch.Count == 0) return;
                _unsent = batch;
                await channel.AppendLogAsync(batch, ct);
                _unsent = null;
            }
        }
    }
}
