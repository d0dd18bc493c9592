using System.Collections.Concurrent;
using System.Data.Common;
using Bgtask.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using MySqlConnector;

namespace Bgtask.Core.Statements;

/// <summary>
/// The INSERT of one entity's row as a plain command on the context's connection and transaction, for the hot
/// paths (a launch's rows, a status change's history point): EF's <c>SaveChanges</c> costs 1–3 ms a call here
/// (change tracking, command batching, diagnostics), the statement itself tens of µs. EF's model stays the one
/// schema: the table, the columns and each value's conversion and parameter type come from the model (each
/// property's type mapping, as SaveChanges binds them), so a new column is inserted without a change here.
/// A batch runs the one command, prepared once, for every row.
/// </summary>
public sealed class PreparedInsert
{
    private static readonly ConcurrentDictionary<(Type Context, Type Entity), PreparedInsert> Cache = new();

    private readonly IProperty[] _columns;
    private readonly RelationalTypeMapping[] _mappings;
    private readonly string[] _parameters;
    private readonly IProperty? _generatedKey;
    private readonly bool _returning;
    private readonly bool _mySql;

    private PreparedInsert(IEntityType entity, ISqlGenerationHelper sql, bool mySql)
    {
        _mySql = mySql;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        _generatedKey = entity.FindPrimaryKey()!.Properties is [{ ValueGenerated: ValueGenerated.OnAdd } key] ? key : null;
        _columns = entity.GetProperties().Where(p => p != _generatedKey).ToArray();
        _mappings = _columns.Select(p => (RelationalTypeMapping)p.GetTypeMapping()).ToArray();
        _parameters = _columns.Select((_, i) => sql.GenerateParameterName($"p{i}")).ToArray();
        // SQLite hands the new key back with RETURNING; MySQL and MariaDB through the OK packet (LastInsertedId).
        _returning = !mySql && _generatedKey is not null;
        Columns = _columns.Select(p => p.GetColumnName(table)!).ToArray();
        Sql = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
              $"({string.Join(", ", Columns.Select(c => sql.DelimitIdentifier(c)))}) " +
              $"VALUES ({string.Join(", ", _columns.Select((_, i) => sql.GenerateParameterNamePlaceholder($"p{i}")))})" +
              (_returning ? $" RETURNING {sql.DelimitIdentifier(_generatedKey!.GetColumnName(table)!)}" : "");
    }

    /// <summary>The columns the statement writes, in order: every mapped column but a store-generated key.</summary>
    public IReadOnlyList<string> Columns { get; }

    public string Sql { get; }

    /// <summary>The statement for <typeparamref name="T"/> in this context's model and provider (built once).</summary>
    public static PreparedInsert For<T>(BgtaskDbContext db) =>
        Cache.GetOrAdd((db.GetType(), typeof(T)), static (_, db) => new PreparedInsert(
            db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped."),
            db.GetService<ISqlGenerationHelper>(), db.Database.IsMySql()), db);

    /// <summary>
    /// Inserts the rows in the context's current transaction (or as a statement of its own), setting a generated
    /// key on each entity, as SaveChanges would; nothing is tracked.
    /// </summary>
    public async Task InsertAsync<T>(BgtaskDbContext db, IReadOnlyList<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        if (db.Database.CurrentTransaction is null && (!_mySql || rows.Count > 1))
        {
            // Several rows land together or not at all, as SaveChanges stores them. Begun through EF, so that this
            // process's SQLite writers still queue in SqliteWriteGate (even for one row), and through the execution
            // strategy (a retrying one refuses a transaction begun outside it). Whether a lost COMMIT stored the rows
            // cannot be told from them: it is then not run again (the caller gets the error, a 503).
            await db.InTransactionAsync(async ct =>
            {
                await InsertAsync(db, rows, ct);
                return true;
            }, _ => throw new InvalidOperationException("The connection was lost during COMMIT: whether the rows were stored is unknown."), ct);
            return;
        }
        var owned = db.Database.GetDbConnection().State != System.Data.ConnectionState.Open;
        if (owned) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = Sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandTimeout = db.Database.GetCommandTimeout() ?? command.CommandTimeout;
            for (var r = 0; r < rows.Count; r++)
            {
                Bind(command, rows[r]);
                // Prepared once the parameters are bound (a provider may want their types): worth it for a batch;
                // for one row it is another round trip to MySQL and nothing SQLite does not do anyway.
                if (r == 0 && rows.Count > 1) await command.PrepareAsync(ct);
                await ExecuteAsync(command, rows[r], ct);
            }
        }
        finally
        {
            if (owned) await db.Database.CloseConnectionAsync();
        }
    }

    private void Bind(DbCommand command, object row)
    {
        command.Parameters.Clear();
        for (var i = 0; i < _columns.Length; i++)
            command.Parameters.Add(_mappings[i].CreateParameter(command, _parameters[i],
                _columns[i].GetGetter().GetClrValueUsingContainingEntity(row), _columns[i].IsNullable));
    }

    private async Task ExecuteAsync(DbCommand command, object row, CancellationToken ct)
    {
        if (_generatedKey is null)
        {
            await command.ExecuteNonQueryAsync(ct);
            return;
        }
        object key;
        if (_returning) key = (await command.ExecuteScalarAsync(ct))!;
        else
        {
            await command.ExecuteNonQueryAsync(ct);
            key = ((MySqlCommand)command).LastInsertedId;
        }
        var setter = _generatedKey.PropertyInfo!;
        setter.SetValue(row, Convert.ChangeType(key, setter.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
    }
}
