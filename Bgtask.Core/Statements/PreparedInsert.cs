using System.Collections.Concurrent;
using Bgtask.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Bgtask.Core.Statements;

/// <summary>
/// The INSERT of an entity's rows as a plain SQL command, for the hot paths (a launch's rows, a status change's
/// history point, log lines): EF's <c>SaveChanges</c> costs 1–3 ms a call here (change tracking, command batching,
/// its own transaction), the statement itself tens of µs. EF's model stays the one schema: the table, the columns
/// and each value's conversion and parameter type come from the model (each property's type mapping, as
/// SaveChanges binds them), so a new column is inserted without a change here. The command runs through EF's
/// relational command pipeline on the context's connection and transaction, so every interceptor sees it as it
/// sees SaveChanges' commands (the SQLite writer gate, the unknown-outcome marks of retries, tests' injected errors).
/// Rows whose generated key is wanted go one statement each (the key comes back with it: a batch's keys are not
/// consecutive under Galera); the others go several to a statement.
/// </summary>
public sealed class PreparedInsert
{
    private const int MaxRowsPerStatement = 100;
    private const int MaxParametersPerStatement = 2000;
    private static readonly ConcurrentDictionary<(Type Context, Type Entity), PreparedInsert> Cache = new();

    private readonly IProperty[] _columns;
    private readonly IProperty? _generatedKey;
    private readonly IRelationalCommandBuilderFactory _builders;
    private readonly ISqlGenerationHelper _sql;
    private readonly string _head;
    private readonly IRelationalCommand? _keyed;
    private readonly IRelationalCommand?[] _multi;
    private readonly string[][] _names;

    private PreparedInsert(IEntityType entity, IRelationalCommandBuilderFactory builders, ISqlGenerationHelper sql, bool mySql)
    {
        _builders = builders;
        _sql = sql;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        _generatedKey = entity.FindPrimaryKey()!.Properties is [{ ValueGenerated: ValueGenerated.OnAdd } key] ? key : null;
        _columns = entity.GetProperties().Where(p => p != _generatedKey).ToArray();
        RowsPerStatement = Math.Max(1, Math.Min(MaxRowsPerStatement, MaxParametersPerStatement / _columns.Length));
        _names = Enumerable.Range(0, RowsPerStatement)
            .Select(r => _columns.Select((_, i) => r == 0 ? $"p{i}" : $"p{r}_{i}").ToArray()).ToArray();
        _multi = new IRelationalCommand?[RowsPerStatement + 1];
        Columns = _columns.Select(p => p.GetColumnName(table)!).ToArray();
        _head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
                $"({string.Join(", ", Columns.Select(c => sql.DelimitIdentifier(c)))}) VALUES ";
        Sql = _head + Values(0);
        if (_generatedKey is not null)
        {
            // SQLite hands the new key back with RETURNING; MySQL (which has no RETURNING) and MariaDB with LAST_INSERT_ID().
            var keyColumn = sql.DelimitIdentifier(_generatedKey.GetColumnName(table)!);
            _keyed = Build(Sql + (mySql ? "; SELECT LAST_INSERT_ID()" : $" RETURNING {keyColumn}"), 1);
        }
    }

    /// <summary>The columns the statement writes, in order: every mapped column but a store-generated key.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The statement for one row.</summary>
    public string Sql { get; }

    /// <summary>How many rows go in one statement when their keys are not wanted.</summary>
    public int RowsPerStatement { get; }

    /// <summary>The statement for <typeparamref name="T"/> in this context's model and provider (built once).</summary>
    public static PreparedInsert For<T>(BgtaskDbContext db) =>
        Cache.GetOrAdd((db.GetType(), typeof(T)), static (_, db) => new PreparedInsert(
            db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped."),
            db.GetService<IRelationalCommandBuilderFactory>(), db.GetService<ISqlGenerationHelper>(), db.Database.IsMySql()), db);

    /// <summary>
    /// Inserts the rows in the context's current transaction (or, with none, in one of their own when they take more
    /// than one statement), setting a generated key on each entity unless <paramref name="setKeys"/> is false;
    /// nothing is tracked.
    /// </summary>
    public async Task InsertAsync<T>(BgtaskDbContext db, IReadOnlyList<T> rows, CancellationToken ct, bool setKeys = true)
        where T : class
    {
        if (rows.Count == 0) return;
        var keyed = setKeys && _keyed is not null;
        var statements = keyed ? rows.Count : (rows.Count + RowsPerStatement - 1) / RowsPerStatement;
        if (statements > 1 && db.Database.CurrentTransaction is null)
        {
            // Several statements land together or not at all, as SaveChanges stores them. Begun through EF, so that this
            // process's SQLite writers still queue in SqliteWriteGate, and through the execution strategy (a retrying
            // one refuses a transaction begun outside it). Whether a lost COMMIT stored the rows cannot be told from
            // them: it is then not run again (the caller gets the error, a 503).
            await db.InTransactionAsync(async ct =>
            {
                await RunAsync(db, rows, keyed, ct);
                return true;
            }, _ => throw new InvalidOperationException("The connection was lost during COMMIT: whether the rows were stored is unknown."), ct);
            return;
        }
        if (db.Database.CurrentTransaction is not null) await RunAsync(db, rows, keyed, ct);
        // One statement alone commits by itself: retried on a deadlock, not after a lost connection (UnknownOutcomeInterceptor).
        else await db.Database.CreateExecutionStrategy().ExecuteAsync(ct => RunAsync(db, rows, keyed, ct), ct);
    }

    private async Task<bool> RunAsync<T>(BgtaskDbContext db, IReadOnlyList<T> rows, bool keyed, CancellationToken ct) where T : class
    {
        var connection = db.GetService<IRelationalConnection>();
        var logger = db.GetService<IRelationalCommandDiagnosticsLogger>();
        if (keyed)
        {
            var setter = _generatedKey!.PropertyInfo!;
            for (var r = 0; r < rows.Count; r++)
            {
                var key = await _keyed!.ExecuteScalarAsync(new(connection, Values(rows, r, 1), null, db, logger), ct);
                setter.SetValue(rows[r], Convert.ChangeType(key, setter.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
            }
            return true;
        }
        for (var start = 0; start < rows.Count; start += RowsPerStatement)
        {
            var count = Math.Min(RowsPerStatement, rows.Count - start);
            var command = _multi[count] ??= Build(_head + string.Join(", ", Enumerable.Range(0, count).Select(Values)), count);
            await command.ExecuteNonQueryAsync(new(connection, Values(rows, start, count), null, db, logger), ct);
        }
        return true;
    }

    private string Values(int row) => $"({string.Join(", ", _names[row].Select(_sql.GenerateParameterNamePlaceholder))})";

    private IRelationalCommand Build(string sql, int rows)
    {
        var builder = _builders.Create().Append(sql);
        for (var r = 0; r < rows; r++)
        for (var i = 0; i < _columns.Length; i++)
            builder.AddParameter(_names[r][i], _sql.GenerateParameterName(_names[r][i]),
                (RelationalTypeMapping)_columns[i].GetTypeMapping(), _columns[i].IsNullable);
        return builder.Build();
    }

    /// <summary>The values of <paramref name="count"/> rows from <paramref name="start"/>, by parameter name (converted by each parameter's mapping).</summary>
    private Dictionary<string, object?> Values<T>(IReadOnlyList<T> rows, int start, int count) where T : class
    {
        var values = new Dictionary<string, object?>(count * _columns.Length);
        for (var r = 0; r < count; r++)
        for (var i = 0; i < _columns.Length; i++)
            values[_names[r][i]] = _columns[i].GetGetter().GetClrValueUsingContainingEntity(rows[start + r]);
        return values;
    }
}
