using System.Text.Json;
using Bgtask.Api.Notifications;
using Bgtask.Api.Signals;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Worker.Sdk;

namespace Bgtask.Api.Launches;

/// <summary>
/// The in-process launcher's channel: the same calls a worker makes over HTTP, made straight on storage
/// through the same guarded operations, with the same announcements (transition log, waiters woken).
/// </summary>
/// <param name="started">The task and config of a launch stored already running: its start needs no database.</param>
public sealed class DirectTaskChannel(long pid, IServiceScopeFactory scopes, RunnerCalls calls,
    SignalReader signals, TaskStart? started = null) : ITaskChannel
{
    public Task<TaskStart> StartAsync(CancellationToken ct) => started is { } known ? Task.FromResult(known) : WithDb(async db =>
    {
        var change = await calls.StartAsync(db, pid, ct);
        if (!change.Succeeded) throw Ended(change.Outcome);
        return new TaskStart(change.Task!.Task, await ReadConfigAsync(db, ct));
    });

    public Task ReportAsync(ProgressReport report, bool retry, CancellationToken ct) => WithDb(async db =>
    {
        var state = new StateReport(report.OpTotal, report.OpFinished,
            report.Sleeping ? BackgroundTaskStatus.Sleeping : BackgroundTaskStatus.Running, report.Memory, report.MemoryPeak);
        var change = await calls.ReportAsync(db, pid, state, ct);
        if (!change.Succeeded) throw Ended(change.Outcome);
        return true;
    });

    public async Task<SignalBatch> ReadSignalsAsync(TimeSpan wait, int knownVersion, CancellationToken ct)
    {
        var read = await signals.ReadAsync(pid, consume: true, wait, knownVersion, ct) ?? throw Ended(ChangeOutcome.NotFound);
        return new SignalBatch(read.Signals.Select(s => s.Signal).ToList(), read.ConfigVersion, read.Status.IsTerminal());
    }

    public Task<ConfigSnapshot> GetConfigAsync(CancellationToken ct) => WithDb(db => ReadConfigAsync(db, ct));

    public Task AppendLogAsync(IReadOnlyList<string> lines, CancellationToken ct) =>
        WithDb(db => calls.AppendLogAsync(db, pid, lines, ct));

    public Task EndAsync(TaskEnding ending, string? message, CancellationToken ct) => WithDb(async db =>
    {
        var status = ending switch
        {
            TaskEnding.Finished => BackgroundTaskStatus.Finished,
            TaskEnding.Stopped => BackgroundTaskStatus.Stopped,
            _ => BackgroundTaskStatus.Error,
        };
        await calls.EndAsync(db, pid, status, message, ct);
        return true;
    });

    private async Task<ConfigSnapshot> ReadConfigAsync(BgtaskDbContext db, CancellationToken ct)
    {
        var config = await db.GetConfigAsync(pid, ct);
        if (config.Outcome == ConfigOutcome.NotFound) throw Ended(ChangeOutcome.NotFound);
        return new ConfigSnapshot(config.Version, JsonSerializer.Deserialize<JsonElement>(config.Json!));
    }

    private TaskEndedException Ended(ChangeOutcome outcome) =>
        new($"Task {pid} has ended or is gone ({outcome}).");

    private async Task<T> WithDb<T>(Func<BgtaskDbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<BgtaskDbContext>());
    }
}
