using Microsoft.EntityFrameworkCore;

namespace Bgtask.Core.Storage;

/// <summary>
/// The one way to run a transaction: through the execution strategy, so a transient error runs the whole
/// operation again from its first read (a retrying strategy refuses a transaction begun outside it). The operation
/// must start from scratch each time (clear the change tracker, reset what it set) and leave everything outside the
/// database (events, memory) to its caller, after it returns.
/// </summary>
public static class RetriableTransactions
{
    /// <param name="committed">
    /// Asked when the connection was lost during COMMIT: whether the server stored the transaction after all (then
    /// the operation's result stands), or not (then it runs again). It must tell from what the operation stored.
    /// </param>
    public static async Task<T> InTransactionAsync<T>(this BgtaskDbContext db, Func<CancellationToken, Task<T>> operation,
        Func<CancellationToken, Task<bool>> committed, CancellationToken ct)
    {
        db.VerifiesCommit = true;
        try
        {
            // EF asks whether a failed COMMIT stored the transaction after all whatever the error was; only a lost
            // connection leaves that open. A deadlock or a Galera certification failure at COMMIT rolled it back, and the
            // operation's own check could be fooled by another node's work (signals another reader consumed are gone too).
            return await db.Database.CreateExecutionStrategy().ExecuteInTransactionAsync(
                ct =>
                {
                    db.CommitFailure = null;
                    return operation(ct);
                },
                ct => db.CommitFailure is { } failure && !DbErrors.IsLostConnection(failure) ? Task.FromResult(false) : committed(ct),
                ct);
        }
        finally
        {
            db.VerifiesCommit = false;
        }
    }
}
