using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Bgtask.Core.Storage;

/// <summary>
/// Lines this process's SQLite writers up in memory, one at a time, instead of letting them collide on the
/// database's single write lock. A writer that finds the lock taken is made to wait by SQLite's busy handler,
/// which sleeps 1, 2, 5, 10... ms between tries while holding a thread (Microsoft.Data.Sqlite is synchronous
/// under its async API); here it waits asynchronously and goes the moment the writer before it is done.
/// Only an optimisation: SQLite's own lock still decides (another process, or a wait past
/// <see cref="MaxWait"/>, just falls back to it), so a mistake here can cost time, never correctness.
/// A write is a transaction (Microsoft.Data.Sqlite begins them IMMEDIATE, taking the write lock) or an
/// INSERT, UPDATE or DELETE outside one.
/// </summary>
public sealed class SqliteWriteGate : DbCommandInterceptor, IDbTransactionInterceptor, IDbConnectionInterceptor
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConditionalWeakTable<DbConnection, Holder> _holders = new();

    private sealed class Holder
    {
        public bool Holds;
    }

    // Transactions: held from BEGIN to COMMIT or ROLLBACK (or, for one disposed without either, the connection's close).
    async ValueTask<InterceptionResult<DbTransaction>> IDbTransactionInterceptor.TransactionStartingAsync(DbConnection connection,
        TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken)
    {
        await EnterAsync(connection, cancellationToken);
        return result;
    }

    InterceptionResult<DbTransaction> IDbTransactionInterceptor.TransactionStarting(DbConnection connection,
        TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Enter(connection);
        return result;
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Exit(ConnectionOf(eventData, transaction));

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        Exit(ConnectionOf(eventData, transaction));
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        Exit(ConnectionOf(eventData, transaction));

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        Exit(ConnectionOf(eventData, transaction));
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        Exit(ConnectionOf(eventData, transaction));

    Task IDbTransactionInterceptor.TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData,
        CancellationToken cancellationToken)
    {
        Exit(ConnectionOf(eventData, transaction));
        return Task.CompletedTask;
    }

    InterceptionResult IDbConnectionInterceptor.ConnectionClosing(DbConnection connection, ConnectionEventData eventData,
        InterceptionResult result)
    {
        Exit(connection);
        return result;
    }

    ValueTask<InterceptionResult> IDbConnectionInterceptor.ConnectionClosingAsync(DbConnection connection,
        ConnectionEventData eventData, InterceptionResult result)
    {
        Exit(connection);
        return ValueTask.FromResult(result);
    }

    // Single statements outside a transaction: held until the statement is done (its reader closed, for a RETURNING).
    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (IsLoneWrite(command)) await EnterAsync(command.Connection!, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (IsLoneWrite(command)) Enter(command.Connection!);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (IsLoneWrite(command)) await EnterAsync(command.Connection!, cancellationToken);
        return result;
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result)
    {
        if (IsLoneWrite(command)) Enter(command.Connection!);
        return result;
    }

    // A lone INSERT ... RETURNING run for its one value (PreparedInsert's key): held until the statement is done.
    public override async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        if (IsLoneWrite(command)) await EnterAsync(command.Connection!, cancellationToken);
        return result;
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result)
    {
        if (IsLoneWrite(command)) Enter(command.Connection!);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
        CancellationToken cancellationToken = default)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return result;
    }

    public override InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return result;
    }

    public override ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData,
        InterceptionResult result)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData,
        InterceptionResult result)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return result;
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData)
    {
        if (command.Transaction is null) Exit(command.Connection);
    }

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return Task.CompletedTask;
    }

    public override void CommandCanceled(DbCommand command, CommandEndEventData eventData)
    {
        if (command.Transaction is null) Exit(command.Connection);
    }

    public override Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (command.Transaction is null) Exit(command.Connection);
        return Task.CompletedTask;
    }

    /// <summary>A completed SQLite transaction no longer knows its connection; the context does.</summary>
    private static DbConnection? ConnectionOf(TransactionEventData eventData, DbTransaction transaction) =>
        transaction.Connection ?? eventData.Context?.Database.GetDbConnection();

    private static bool IsLoneWrite(DbCommand command)
    {
        if (command.Transaction is not null || command.Connection is null) return false;
        var sql = command.CommandText.AsSpan().TrimStart();
        return sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) ||
               sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) ||
               sql.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) ||
               sql.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }

    private async Task EnterAsync(DbConnection connection, CancellationToken ct)
    {
        var holder = _holders.GetOrCreateValue(connection);
        if (holder.Holds) return;
        if (await _gate.WaitAsync(MaxWait, ct)) holder.Holds = true;
    }

    private void Enter(DbConnection connection)
    {
        var holder = _holders.GetOrCreateValue(connection);
        if (holder.Holds) return;
        if (_gate.Wait(MaxWait)) holder.Holds = true;
    }

    private void Exit(DbConnection? connection)
    {
        if (connection is null || !_holders.TryGetValue(connection, out var holder) || !holder.Holds) return;
        holder.Holds = false;
        _gate.Release();
    }
}
