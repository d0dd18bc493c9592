using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Bgtask.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.Storage;

/// <summary>
/// The hot inserts bypass SaveChanges but not the model: each writes every column EF maps for its table, and what
/// it stores reads back through EF as the same entity, property by property (a column added to the model and
/// missed by the statement fails here).
/// </summary>
public abstract class PreparedInsertTests<TTarget>(BgtaskApiFactory<TTarget> api) : ApiTests<TTarget>(api)
    where TTarget : IStorageTarget
{
    private async Task<T> WithDbAsync<T>(Func<BgtaskDbContext, Task<T>> work)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<BgtaskDbContext>());
    }

    [Fact]
    public Task EachStatement_WritesEveryColumnOfItsTable_ButAGeneratedKey() => WithDbAsync(db =>
    {
        AssertAllColumns<BackgroundTask>(db, "bgtask_tasks", "Id");
        AssertAllColumns<TaskConfig>(db, "bgtask_configs", null);
        AssertAllColumns<TaskHistoryPoint>(db, "bgtask_history", "Id");
        AssertAllColumns<TaskLogLine>(db, "bgtask_log", null);
        return Task.FromResult(true);
    });

    private static void AssertAllColumns<T>(BgtaskDbContext db, string table, string? generatedKey)
    {
        // The table as the relational model (what migrations create) has it, not the entity's property list.
        var columns = db.Model.GetRelationalModel().FindTable(table, null)!.Columns.Select(c => c.Name)
            .Where(c => c != generatedKey).Order().ToList();
        Assert.NotEmpty(columns);
        Assert.Equal(columns, PreparedInsert.For<T>(db).Columns.Order().ToList());
    }

    [Fact]
    public async Task ATaskInsertedByTheStatement_ReadsBackThroughEf_WithEveryPropertyAsSet()
    {
        var task = new BackgroundTask { Task = UniqueName("prepared") };
        var entity = await WithDbAsync(db => Task.FromResult(db.Model.FindEntityType(typeof(BackgroundTask))!));
        var properties = entity.GetProperties().Where(p => p.Name != nameof(BackgroundTask.Id)).ToList();
        for (var i = 0; i < properties.Count; i++)
            if (properties[i].Name != nameof(BackgroundTask.Task)) properties[i].PropertyInfo!.SetValue(task, Sample(properties[i], i));

        await WithDbAsync(async db =>
        {
            await PreparedInsert.For<BackgroundTask>(db).InsertAsync(db, [task], CancellationToken.None);
            return true;
        });
        Assert.True(task.Id > 0);
        var stored = await WithDbAsync(db => db.Tasks.AsNoTracking().SingleAsync(t => t.Id == task.Id));

        foreach (var property in properties)
            Assert.True(Equals(property.PropertyInfo!.GetValue(task), property.PropertyInfo.GetValue(stored)),
                $"{property.Name}: set {property.PropertyInfo.GetValue(task)}, read back {property.PropertyInfo.GetValue(stored)}");
    }

    [Fact]
    public async Task ABatch_InsertsEveryRow_EachWithItsOwnKey()
    {
        var name = UniqueName("batch");
        var tasks = Enumerable.Range(0, 5).Select(i => new BackgroundTask
        {
            Task = name, Description = $"row {i}", Launcher = LauncherKind.External, Status = BackgroundTaskStatus.Pending,
            CreatedAt = DateTime.UtcNow,
        }).ToList();

        await WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            await PreparedInsert.For<BackgroundTask>(db).InsertAsync(db, tasks, CancellationToken.None);
            await tx.CommitAsync();
            return true;
        });

        var stored = await WithDbAsync(db => db.Tasks.AsNoTracking().Where(t => t.Task == name).OrderBy(t => t.Id).ToListAsync());
        Assert.Equal(tasks.Select(t => (t.Id, t.Description)), stored.Select(t => (t.Id, t.Description)));
        Assert.Equal(5, tasks.Select(t => t.Id).Distinct().Count());
    }

    /// <summary>A value of the property's type that no default has, different for each property.</summary>
    private static object Sample(IProperty property, int i)
    {
        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        if (type == typeof(string)) return $"s{i}";
        if (type == typeof(long)) return 1000L + i;
        if (type == typeof(int)) return 100 + i;
        if (type == typeof(double)) return 1.5 + i;
        if (type == typeof(bool)) return true;
        // Whole milliseconds: every storage keeps those exactly.
        if (type == typeof(DateTime)) return new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddMilliseconds(i);
        if (type.IsEnum) return Enum.GetValues(type).Cast<object>().Last();
        throw new InvalidOperationException($"No sample value for {property.Name} ({property.ClrType}): add one.");
    }
}

public sealed class PreparedInsertTests_Sqlite(BgtaskApiFactory<SqliteTarget> api) : PreparedInsertTests<SqliteTarget>(api);

public sealed class PreparedInsertTests_MariaDb(BgtaskApiFactory<MariaDbTarget> api) : PreparedInsertTests<MariaDbTarget>(api);

public sealed class PreparedInsertTests_MariaDbMemory(BgtaskApiFactory<MariaDbMemoryTarget> api)
    : PreparedInsertTests<MariaDbMemoryTarget>(api);
