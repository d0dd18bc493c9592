using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Bgtask.Worker.Sdk;

namespace Bgtask.Tests.Units;

/// <summary>
/// The service side of a <see cref="TaskRunner"/> run, in memory: the test queues signal batches and config
/// versions; reports, log lines and the ending are kept for its assertions. The runner's listener asks for the
/// next batch only once it has delivered the one before (and fetched its config), so <see cref="Reads"/> passing
/// n means the first n - 1 batches sit in the task's inbox.
/// </summary>
internal sealed class ScriptedChannel(string task) : ITaskChannel
{
    private readonly Channel<SignalBatch> _batches = Channel.CreateUnbounded<SignalBatch>();
    private readonly ConcurrentQueue<ConfigSnapshot> _configs = new();
    private readonly List<string> _log = [];
    private int _reads;
    private int _version = 1;

    public ConcurrentQueue<ProgressReport> Reports { get; } = new();
    public TaskCompletionSource<(TaskEnding Ending, string? Message)> Ended { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Reads => Volatile.Read(ref _reads);

    public IReadOnlyList<string> Log
    {
        get { lock (_log) return _log.ToList(); }
    }

    public static ConfigSnapshot ConfigOf(int version, string json) => new(version, JsonDocument.Parse(json).RootElement.Clone());

    public void Send(params string[] signals) =>
        _batches.Writer.TryWrite(new SignalBatch(signals, Volatile.Read(ref _version), Ended: false));

    /// <summary>A new config version, announced with the given signals in one batch (the listener fetches it after them).</summary>
    public void SendConfig(ConfigSnapshot config, params string[] signals)
    {
        _configs.Enqueue(config);
        Volatile.Write(ref _version, config.Version);
        _batches.Writer.TryWrite(new SignalBatch(signals, config.Version, Ended: false));
    }

    public Task<TaskStart> StartAsync(CancellationToken ct) => Task.FromResult(new TaskStart(task, ConfigOf(1, "{}")));

    public Task ReportAsync(ProgressReport report, bool retry, CancellationToken ct)
    {
        Reports.Enqueue(report);
        return Task.CompletedTask;
    }

    public async Task<SignalBatch> ReadSignalsAsync(TimeSpan wait, int knownVersion, CancellationToken ct)
    {
        Interlocked.Increment(ref _reads);
        return await _batches.Reader.ReadAsync(ct);
    }

    public Task<ConfigSnapshot> GetConfigAsync(CancellationToken ct) =>
        Task.FromResult(_configs.TryDequeue(out var config) ? config : throw new InvalidOperationException("No config was queued."));

    public Task AppendLogAsync(IReadOnlyList<string> lines, CancellationToken ct)
    {
        lock (_log) _log.AddRange(lines);
        return Task.CompletedTask;
    }

    public Task EndAsync(TaskEnding ending, string? message, CancellationToken ct)
    {
        Ended.TrySetResult((ending, message));
        return Task.CompletedTask;
    }
}
