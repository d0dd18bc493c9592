using System.ComponentModel.DataAnnotations;

namespace Bgtask.Core.Storage;

public enum StorageProvider { Sqlite, MySql }

public enum MySqlEngine { InnoDB, MEMORY }

public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string ConnectionStringName = "Bgtask";
    public const string DefaultSqliteConnection = "Data Source=data/bgtask.db";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Apply the EF migrations at start. Off for deployments that migrate separately.</summary>
    public bool MigrateOnStart { get; set; } = true;

    [Required]
    public MySqlStorageOptions MySql { get; set; } = new();

    /// <summary>
    /// Whether a new task can get a pid an earlier task had: only with MEMORY tables, which a MySQL restart
    /// empties (the service raises the counter past the InnoDB tables' pids at its own start, not at MySQL's).
    /// </summary>
    public bool PidsMayRepeat => Provider == StorageProvider.MySql && MySql.Engine == MySqlEngine.MEMORY;
}

public sealed class MySqlStorageOptions
{
    /// <summary>The engine of the tasks and signals tables. MEMORY is fast and lost when MySQL restarts.</summary>
    public MySqlEngine Engine { get; set; } = MySqlEngine.InnoDB;

    /// <summary>For example <c>8.0.36-mysql</c> or <c>10.11.6-mariadb</c>; empty asks the server once at start.</summary>
    public string? ServerVersion { get; set; }
}
