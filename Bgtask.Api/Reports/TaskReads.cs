using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Reports;

/// <summary>
/// Every read of a task as this service knows it: the stored row with its report not yet flushed merged in, so a
/// reader never sees less progress than the task reported (and no route can forget the merge).
/// </summary>
public sealed class TaskReads(StateReportBuffer reports)
{
    public async Task<BackgroundTask?> FindAsync(BgtaskDbContext db, long pid, CancellationToken ct) =>
        await db.FindTaskAsync(pid, ct) is { } task ? reports.Merged(task) : null;

    /// <inheritdoc cref="TaskRecords.ListTasksAsync"/>
    public async Task<List<BackgroundTask>> ListAsync(BgtaskDbContext db, TaskFilter filter, CancellationToken ct) =>
        (await db.ListTasksAsync(filter, ct)).Select(reports.Merged).ToList();
}
