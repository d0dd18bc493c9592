using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;

namespace Bgtask.Worker.Sdk;

/// <summary>
/// What a running task gets: its config, progress counters, a log, a cancellation token that fires on
/// stop and kill, and the check-point where signals and config changes are applied in the order sent.
/// <see cref="Advance"/> and <see cref="CheckpointAsync"/> are cheap: they touch memory only; the runner
/// reports changed progress (coalesced, at most once per report interval) and receives signals in the background.
/// </summary>
public sealed class TaskContext
{
    private readonly Channel<Inbound> _inbox = Channel.CreateUnbounded<Inbound>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop;
    private readonly TaskLogBuffer _log;
    private readonly Func<Task> _reportNow;
    // The runner's reporter sleeps until the task changes something (or its heartbeat is due) instead of ticking:
    // 1 while it waits, so a change wakes it once and a busy task's Advance pays one read of this field.
    private readonly SemaphoreSlim _changed = new(0);
    private int _reporterWaiting;
    private int _pending;
    private long _opTotal;
    private long _opFinished;
    private volatile bool _sleeping;

    internal TaskContext(long pid, string taskName, ConfigSnapshot config, TaskLogBuffer log,
        Func<Task> reportNow, CancellationToken kill)
    {
        Pid = pid;
        TaskName = taskName;
        Config = config.Config;
        ConfigVersion = config.Version;
        _log = log;
        _reportNow = reportNow;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(kill);
    }

    public long Pid { get; }
    public string TaskName { get; }

    /// <summary>The config as of the last check-point (a JSON object).</summary>
    public JsonElement Config { get; private set; }
    public int ConfigVersion { get; private set; }

    /// <summary>Fires when the task is sent <c>stop</c> or is killed.</summary>
    public CancellationToken CancellationToken => _stop.Token;

    public long OpTotal => Interlocked.Read(ref _opTotal);
    public long OpFinished => Interlocked.Read(ref _opFinished);
    public bool IsSleeping => _sleeping;
    internal bool StopRequested { get; private set; }

    /// <summary>The service ended the task (kill, time limit, another caller): its work is void.</summary>
    internal bool EndedElsewhere { get; private set; }

    /// <summary>Called at a check-point for each custom signal (any name but sleep, continue, stop).</summary>
    public Func<string, ValueTask>? OnSignal { get; set; }

    /// <summary>Raised at the check-point that brings in a new config version.</summary>
    public event Action<TaskContext>? ConfigChanged;

    public T? GetConfig<T>(JsonTypeInfo<T> typeInfo) => Config.Deserialize(typeInfo);

    [RequiresUnreferencedCode("Binds with reflection; use the JsonTypeInfo overload in trimmed or AOT workers.")]
    [RequiresDynamicCode("Binds with reflection; use the JsonTypeInfo overload in trimmed or AOT workers.")]
    public T? GetConfig<T>() => Config.Deserialize<T>(JsonSerializerOptions.Web);

    public void SetTotal(long total)
    {
        Interlocked.Exchange(ref _opTotal, Math.Max(0, total));
        if (Volatile.Read(ref _reporterWaiting) != 0) WakeReporter();
    }

    public void Advance(long count = 1)
    {
        Interlocked.Add(ref _opFinished, count);
        if (Volatile.Read(ref _reporterWaiting) != 0) WakeReporter();
    }

    public void SetCompleted(long completed)
    {
        Interlocked.Exchange(ref _opFinished, Math.Max(0, completed));
        if (Volatile.Read(ref _reporterWaiting) != 0) WakeReporter();
    }

    public void Log(string line)
    {
        _log.Add(line);
        if (Volatile.Read(ref _reporterWaiting) != 0) WakeReporter();
    }

    /// <summary>
    /// Applies what arrived since the last check-point, in order: <c>sleep</c> holds here (status sleeping)
    /// until <c>continue</c> or <c>stop</c>; <c>stop</c> throws <see cref="TaskStoppedException"/>; a new
    /// config replaces <see cref="Config"/>; custom signals go to <see cref="OnSignal"/>.
    /// </summary>
    public ValueTask CheckpointAsync() =>
        Volatile.Read(ref _pending) == 0 && !_sleeping ? ValueTask.CompletedTask : ApplyPendingAsync();

    private async ValueTask ApplyPendingAsync()
    {
        while (true)
        {
            Volatile.Write(ref _pending, 0);
            while (_inbox.Reader.TryRead(out var item))
                await ApplyAsync(item);
            if (!_sleeping) return;
            await _inbox.Reader.WaitToReadAsync(_stop.Token);
        }
    }

    private async ValueTask ApplyAsync(Inbound item)
    {
        switch (item)
        {
            case { Config: { } config }:
                Config = config.Config;
                ConfigVersion = config.Version;
                Log($"config version {config.Version}");
                ConfigChanged?.Invoke(this);
                break;
            case { Signal: SignalNames.Sleep } when !_sleeping:
                _sleeping = true;
                Log(SignalNames.Sleep);
                await _reportNow();
                break;
            case { Signal: SignalNames.Continue } when _sleeping:
                _sleeping = false;
                Log(SignalNames.Continue);
                await _reportNow();
                break;
            case { Signal: SignalNames.Stop }:
                _sleeping = false;
                throw new TaskStoppedException(_stop.Token);
            case { Signal: SignalNames.Sleep or SignalNames.Continue }:
                break; // already asleep, or not asleep: nothing to change
            case { Signal: { } custom }:
                if (OnSignal is { } handler) await handler(custom);
                else Log($"signal {custom} (no handler)");
                break;
        }
    }

    /// <summary>From the runner's listener: a signal, in the order the service delivered it.</summary>
    internal void Deliver(string signal)
    {
        if (signal == SignalNames.Stop)
        {
            StopRequested = true;
            _inbox.Writer.TryWrite(new Inbound(signal, null));
            Interlocked.Exchange(ref _pending, 1);
            _stop.Cancel();
            return;
        }
        _inbox.Writer.TryWrite(new Inbound(signal, null));
        Interlocked.Exchange(ref _pending, 1);
    }

    internal void Deliver(ConfigSnapshot config)
    {
        _inbox.Writer.TryWrite(new Inbound(null, config));
        Interlocked.Exchange(ref _pending, 1);
    }

    internal void EndElsewhere()
    {
        EndedElsewhere = true;
        _stop.Cancel();
    }

    /// <summary>A stop that did not come as a signal (the worker was asked to terminate).</summary>
    internal void RequestStop() => Deliver(SignalNames.Stop);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void WakeReporter()
    {
        if (Interlocked.Exchange(ref _reporterWaiting, 0) != 0) _changed.Release();
    }

    /// <summary>
    /// The reporter's wait: until progress, total or the log changes, or the timeout, unless <paramref name="hasNews"/>
    /// (read after the wait is armed: a change just before is seen there, one just after wakes it) says something is
    /// already waiting to be sent. A wake that comes after the timeout is left for the next wait, which then looks again.
    /// </summary>
    internal async Task WaitForChangeAsync(Func<bool> hasNews, TimeSpan timeout, CancellationToken ct)
    {
        Interlocked.Exchange(ref _reporterWaiting, 1); // a full fence: hasNews reads after the arming is visible
        try
        {
            if (!hasNews() && timeout > TimeSpan.Zero) await _changed.WaitAsync(timeout, ct);
        }
        finally
        {
            Interlocked.Exchange(ref _reporterWaiting, 0);
        }
    }

    internal ProgressReport Snapshot(long memory, long peak) => new(OpTotal, OpFinished, _sleeping, memory, peak);

    private readonly record struct Inbound(string? Signal, ConfigSnapshot? Config);
}
