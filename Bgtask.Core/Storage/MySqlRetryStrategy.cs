using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MySqlConnector;

namespace Bgtask.Core.Storage;

/// <summary>
/// Pomelo's retrying execution strategy with Galera's errors added (<see cref="DbErrors.IsNotApplied"/>) and lost
/// connections. A lost connection is ambiguous for a write that commits by itself: such a write (an INSERT of a
/// signal, a log line, a config version) could be stored twice, so <see cref="UnknownOutcomeInterceptor"/> marks
/// it and it is not run again (the client gets 503 and decides). Inside a transaction the server rolls back what
/// a lost connection left uncommitted, so the whole transaction runs again; one lost at COMMIT asks the
/// transaction's own check whether it was stored (<see cref="RetriableTransactions"/>).
/// </summary>
/// <remarks>
/// The pauses start at 50 ms and double up to <c>maxRetryDelay</c>, each between half and all of that: a
/// deadlock or a certification failure clears in milliseconds (the other writer commits), and the jitter keeps two
/// losers from meeting again. EF Core's default starts at one second, too long for a request waiting on it.
/// </remarks>
public sealed class MySqlRetryStrategy(ExecutionStrategyDependencies dependencies, int maxRetryCount, TimeSpan maxRetryDelay)
    : MySqlRetryingExecutionStrategy(dependencies, maxRetryCount, maxRetryDelay, errorNumbersToAdd: [DbErrors.WsrepNotReady])
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);

    protected override bool ShouldRetryOn(Exception exception) =>
        !UnknownOutcomeInterceptor.IsMarked(exception) && IsRetriable(exception);

    /// <summary>A failed COMMIT is checked whatever the mark says: the check is what settles it.</summary>
    protected override bool ShouldVerifySuccessOn(Exception exception) => IsRetriable(exception);

    private static bool IsRetriable(Exception exception) =>
        exception is MySqlException m && (DbErrors.IsNotApplied(m) || DbErrors.IsLostConnection(m)) ||
        exception is TimeoutException;

    protected override TimeSpan? GetNextDelay(Exception lastException)
    {
        var retry = ExceptionsEncountered.Count - 1;
        if (retry >= MaxRetryCount) return null;
        var ceiling = Math.Min(FirstDelay.TotalMilliseconds * Math.Pow(2, retry), MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2));
    }
}
