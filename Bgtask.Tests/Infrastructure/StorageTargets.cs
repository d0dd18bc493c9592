namespace Bgtask.Tests.Infrastructure;

public enum StorageTarget
{
    Sqlite,
    /// <summary>MariaDB with every table on InnoDB.</summary>
    MariaDb,
    /// <summary>MariaDB with the tasks and signals tables on the MEMORY engine (Storage:MySql:Engine=MEMORY).</summary>
    MariaDbMemory,
}

/// <summary>A storage target as a type, so one abstract test class runs on each through a one-line subclass.</summary>
public interface IStorageTarget
{
    static abstract StorageTarget Kind { get; }
}

public sealed class SqliteTarget : IStorageTarget
{
    public static StorageTarget Kind => StorageTarget.Sqlite;
}

public sealed class MariaDbTarget : IStorageTarget
{
    public static StorageTarget Kind => StorageTarget.MariaDb;
}

public sealed class MariaDbMemoryTarget : IStorageTarget
{
    public static StorageTarget Kind => StorageTarget.MariaDbMemory;
}
