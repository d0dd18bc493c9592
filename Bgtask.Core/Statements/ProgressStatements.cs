using System.Linq.Expressions;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Setters = System.Linq.Expressions.Expression<

    System.Func<Microsoft.EntityFrameworkCore.Query.SetPropertyCalls<Bgtask.Core.Tasks.BackgroundTask>,
        Microsoft.EntityFrameworkCore.Query.SetPropertyCalls<Bgtask.Core.Tasks.BackgroundTask>>>;

namespace Bgtask.Core.Statements;

/// <summary>
/// The one way a <see cref="TaskProgress"/> is written: its setters, which a transition can append to its own
/// (<see cref="Then"/>), so a report, a coalesced flush and an ending with its final progress share them.
/// </summary>
public static class ProgressStatements
{
    /// <summary>The progress columns; the peak only grows and a stored start stays, as in <see cref="TaskProgress.MergeInto"/>.</summary>
    public static Setters SetProgress(TaskProgress p) => s => s
        .SetProperty(t => t.OpTotal, p.OpTotal)
        .SetProperty(t => t.OpFinished, p.OpFinished)
        .SetProperty(t => t.StartedAt, t => t.StartedAt ?? p.StartedAt)
        .SetProperty(t => t.Memory, p.Memory)
        .SetProperty(t => t.MemoryPeak, t => t.MemoryPeak > p.MemoryPeak ? t.MemoryPeak : p.MemoryPeak)
        .SetProperty(t => t.HeartbeatAt, p.HeartbeatAt)
        .SetProperty(t => t.Rate, p.Rate)
        .SetProperty(t => t.RateSinceOps, p.RateSinceOps)
        .SetProperty(t => t.RateSinceAt, p.RateSinceAt);

    /// <summary>One setter chain after another, as one (EF Core 9 takes a single expression).</summary>
    public static Setters Then(this Setters first, Setters second) =>
        Expression.Lambda<Func<SetPropertyCalls<BackgroundTask>, SetPropertyCalls<BackgroundTask>>>(
            new Substitute(second.Parameters[0], first.Body).Visit(second.Body), first.Parameters);

    /// <summary>Stores a live task's newest progress (a coalescing writer's flush).</summary>
    /// <returns>false when the task is no longer live (ended or removed, perhaps by another replica).</returns>
    public static async Task<bool> StoreProgressAsync(this BgtaskDbContext db, long pid, TaskProgress progress,
        CancellationToken ct) =>
        await db.Tasks.WhereLive().Where(t => t.Id == pid).ExecuteUpdateAsync(SetProgress(progress), ct) == 1;

    private sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
