using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Bgtask.Core.Storage;

/// <summary>
/// Marks a lost connection whose write may have been stored all the same, so <see cref="MySqlRetryStrategy"/> does
/// not run it again: a statement other than a SELECT outside a transaction (it commits by itself), or the COMMIT of
/// a transaction EF Core began on its own (SaveChanges of several rows). Reads, and statements before the COMMIT of
/// a transaction, are safe to repeat and stay unmarked; so is the COMMIT of a transaction that can check itself.
/// </summary>
public sealed class UnknownOutcomeInterceptor : IDbCommandInterceptor, IDbTransactionInterceptor
{
    private static readonly ConditionalWeakTable<Exception, object> Marked = new();

    public static bool IsMarked(Exception exception) => Marked.TryGetValue(exception, out _);

    void IDbCommandInterceptor.CommandFailed(DbCommand command, CommandErrorEventData eventData) => Judge(command, eventData);

    Task IDbCommandInterceptor.CommandFailedAsync(DbCommand command, CommandErrorEventData eventData,
        CancellationToken cancellationToken)
    {
        Judge(command, eventData);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        Judge(eventData);

    Task IDbTransactionInterceptor.TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData,
        CancellationToken cancellationToken)
    {
        Judge(eventData);
        return Task.CompletedTask;
    }

    private static void Judge(DbCommand command, CommandErrorEventData eventData)
    {
        if (command.Transaction is null && !IsRead(command.CommandText) && DbErrors.IsLostConnection(eventData.Exception))
            Marked.AddOrUpdate(eventData.Exception, true);
    }

    private static void Judge(TransactionErrorEventData eventData)
    {
        if (eventData.Action == "Commit" && eventData.Context is BgtaskDbContext context) context.CommitFailure = eventData.Exception;
        if (eventData.Action == "Commit" && eventData.Context is BgtaskDbContext { VerifiesCommit: false } &&
            DbErrors.IsLostConnection(eventData.Exception))
            Marked.AddOrUpdate(eventData.Exception, true);
    }

    private static bool IsRead(string sql) => sql.AsSpan().TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);
}
