using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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

    [Required, ValidateObjectMembers]
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

    /// <summary>
    /// How many times a statement or transaction hit by a transient error (deadlock or certification failure, lock
    /// wait timeout, a Galera node not ready, a lost connection) runs again before the client gets 503. 0 turns
    /// retries off. InnoDB only: MEMORY tables keep what a failed transaction wrote, so a re-run could write it twice.
    /// </summary>
    [Range(0, 20)]
    public int RetryCount { get; set; } = 5;

    /// <summary>The longest pause between two tries; the pauses grow from 50 ms, doubling, each with some jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether the retrying execution strategy is on (see <see cref="RetryCount"/>).</summary>
    public bool Retries => Engine == MySqlEngine.InnoDB && RetryCount > 0;
}
