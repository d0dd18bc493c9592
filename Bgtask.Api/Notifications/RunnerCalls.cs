using Bgtask.Api.Runners;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;

namespace Bgtask.Api.Notifications;

/// <summary>What launchers write about their runners: where it runs, and its end when it dies unreported.</summary>
public sealed class RunnerCalls(IServiceScopeFactory scopes, TaskNotifier changes, TimeProvider time)
{
    public async Task RecordAsync(long pid, int osPid, DateTime? startedAt, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        await db.Tasks.Where(t => t.Id == pid).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.RunnerHost, OsProcesses.Host)
            .SetProperty(t => t.RunnerOsPid, osPid)
            .SetProperty(t => t.RunnerStartedAt, startedAt), ct);
    }

    /// <summary>Ends a task whose runner is gone with <paramref name="message"/>, unless it already ended.</summary>
    public async Task<bool> LostAsync(long pid, string message)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BgtaskDbContext>();
        var change = await db.EndAsync(pid, BackgroundTaskStatus.Error, message, time.GetUtcNow().UtcDateTime,
            CancellationToken.None);
        changes.Lost(change);
        if (change.Outcome != ChangeOutcome.Changed) return false;
        await changes.AppendLogAsync(db, pid, [$"error {message}"], time.GetUtcNow().UtcDateTime, CancellationToken.None);
        return true;
    }
}
