using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Bgtask.Tests.Infrastructure;

/// <summary>The failure a <see cref="ServerErrorInjector"/> makes the server produce.</summary>
public enum ServerError
{
    /// <summary>1213, SQLSTATE 40001: what InnoDB says to a deadlock's victim and Galera to a certification failure.</summary>
    Deadlock,
    /// <summary>1047, "WSREP has not yet prepared node for application use": a Galera node joining or cut off.</summary>
    WsrepNotReady,
    /// <summary>The statement's connection is killed (1927, "Connection was killed") instead of running it.</summary>
    LostConnection,
    /// <summary>The statement runs; its transaction's connection is killed when it is about to COMMIT (nothing stored).</summary>
    LostBeforeCommit,
    /// <summary>The statement runs; its transaction commits, then its connection is killed before the client hears so.</summary>
    LostAfterCommit,
}

/// <summary>
/// Makes the MariaDB server itself fail chosen statements: for the next <c>times</c> statements that match, a
/// SIGNAL raising the error asked for runs instead (MariaDB lets SIGNAL set MYSQL_ERRNO, so the client gets exactly
/// what a real deadlock or an unready Galera node sends), or the connection is killed (KILL CONNECTION_ID()) in
/// the statement's place or around its transaction's COMMIT. Real server errors through the real client, no mocks.
/// Registered in a test host's DbContext options; one test at a time arms it.
/// </summary>
public sealed class ServerErrorInjector : DbCommandInterceptor, IDbTransactionInterceptor
{
    private const string Kill = "KILL CONNECTION_ID()";
    private readonly Lock _lock = new();
    private readonly ConditionalWeakTable<DbConnection, object> _doomed = new();
    private Func<DbCommand, bool>? _match;
    private ServerError _error;
    private int _left;
    private int _fired;

    /// <summary>How many times the armed failure happened.</summary>
    public int Fired => Volatile.Read(ref _fired);

    public void Fail(Func<DbCommand, bool> match, int times, ServerError error)
    {
        lock (_lock) (_match, _left, _error, _fired) = (match, times, error, 0);
    }

    public void Disarm()
    {
        lock (_lock) (_match, _left) = (null, 0);
    }

    /// <summary>
    /// A command with a <paramref name="verb"/> (INSERT, UPDATE, DELETE, SELECT) statement on <paramref name="table"/>
    /// (Pomelo puts <c>SET AUTOCOMMIT = 1;</c> before a write that runs alone), in a transaction or not, or either.
    /// </summary>
    public static Func<DbCommand, bool> Statement(string verb, string table, bool? inTransaction = null)
    {
        // MariaDB quotes names with backticks, SQLite with double quotes.
        var statement = new Regex($@"\b{verb}\b[^;]*[`""]{table}[`""]", RegexOptions.IgnoreCase);
        return command => statement.IsMatch(command.CommandText) &&
                          (inTransaction is null || inTransaction == (command.Transaction is not null));
    }

    /// <summary>A <see cref="Statement"/> one of whose parameters is <paramref name="value"/> (a row of one test's own).</summary>
    public static Func<DbCommand, bool> StatementWith(string verb, string table, params object[] values)
    {
        var statement = Statement(verb, table);
        return command => statement(command) && command.Parameters.Cast<DbParameter>().Any(p => values.Contains(p.Value));
    }

    private void Inject(DbCommand command)
    {
        lock (_lock)
        {
            if (_left == 0 || _match?.Invoke(command) != true) return;
            _left--;
            switch (_error)
            {
                case ServerError.LostBeforeCommit or ServerError.LostAfterCommit:
                    if (command.Connection is { } connection) _doomed.AddOrUpdate(connection, true);
                    return;
                case ServerError.LostConnection:
                    command.CommandText = Kill;
                    break;
                default:
                    var (number, state, message) = _error == ServerError.Deadlock
                        ? (1213, "40001", "Deadlock found when trying to get lock; try restarting transaction")
                        : (1047, "08S01", "WSREP has not yet prepared node for application use");
                    command.CommandText = $"SIGNAL SQLSTATE '{state}' SET MYSQL_ERRNO = {number}, MESSAGE_TEXT = '{message}'";
                    break;
            }
            _fired++;
        }
    }

    /// <summary>Whether this connection's commit is the one to lose at <paramref name="moment"/>.</summary>
    private bool Dooms(DbConnection? connection, ServerError moment)
    {
        lock (_lock)
        {
            if (connection is null || _error != moment || !_doomed.TryGetValue(connection, out _)) return false;
            _doomed.Remove(connection);
            _fired++;
            return true;
        }
    }

    private static async Task KillAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Kill;
        await command.ExecuteNonQueryAsync(ct);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result)
    {
        Inject(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Inject(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result)
    {
        Inject(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Inject(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result)
    {
        Inject(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Inject(command);
        return ValueTask.FromResult(result);
    }

    async ValueTask<InterceptionResult> IDbTransactionInterceptor.TransactionCommittingAsync(DbTransaction transaction,
        TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken)
    {
        if (Dooms(transaction.Connection, ServerError.LostBeforeCommit))
            await KillAsync(transaction.Connection!, transaction, cancellationToken);
        return result;
    }

    async Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        var connection = eventData.Context?.Database.GetDbConnection();
        if (Dooms(connection, ServerError.LostAfterCommit)) await KillAsync(connection!, null, cancellationToken);
    }
}
