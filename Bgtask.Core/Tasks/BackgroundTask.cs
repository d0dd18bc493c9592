namespace Bgtask.Core.Tasks;

/// <summary>One launched (or recorded) task: the row behind the contract's task resource.</summary>
public class BackgroundTask
{
    public long Id { get; set; }
    public required string Task { get; set; }
    public string? Description { get; set; }
    public LauncherKind Launcher { get; set; }
    public long? ParentId { get; set; }
    public BackgroundTaskStatus Status { get; set; }
    public long OpTotal { get; set; }
    public long OpFinished { get; set; }
    public long Memory { get; set; }
    public long MemoryPeak { get; set; }
    public string? Message { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public DateTime? HeartbeatAt { get; set; }

    /// <summary>Operations per second over the recent reports, measured from <see cref="RateSinceOps"/>.</summary>
    public double? Rate { get; set; }
    public long? RateSinceOps { get; set; }
    public DateTime? RateSinceAt { get; set; }

    /// <summary>The current config version (the newest row of <see cref="TaskConfig"/>), kept here for cheap reads.</summary>
    public int ConfigVersion { get; set; } = 1;

    public int? TimeoutSeconds { get; set; }

    /// <summary>This launch's own heartbeat timeout; null for the service's setting.</summary>
    public int? HeartbeatTimeoutSeconds { get; set; }

    /// <summary>
    /// Why the service is ending this live task (for example "time limit"), set before it asks the runner
    /// to stop: the runner's own stop report then ends it with this reason rather than its own.
    /// </summary>
    public string? StopReason { get; set; }

    /// <summary>Where the runner lives: the host name, the OS pid and its start time (to tell a reused pid apart).</summary>
    public string? RunnerHost { get; set; }
    public int? RunnerOsPid { get; set; }
    public DateTime? RunnerStartedAt { get; set; }

    /// <summary>The service node (<c>Cluster:NodeName</c>) whose host runs the runner; null until a runner claims it.</summary>
    public string? RunnerNode { get; set; }

    /// <summary>The task's processes are frozen (the freeze feature sets it).</summary>
    public bool Frozen { get; set; }

    /// <summary>While <see cref="Frozen"/>: the status from before the freeze, which thaw restores.</summary>
    public BackgroundTaskStatus? FrozenFrom { get; set; }

    /// <summary>The exclusive key the task was launched with (kept for display after it ends), or null.</summary>
    public string? Exclusive { get; set; }

    /// <summary>
    /// The same key while the task is live, else null: a unique index on it lets one live task at a time hold a key,
    /// and every terminal update clears it (<see cref="ExclusiveKeys"/>).
    /// </summary>
    public string? ExclusiveHeld { get; set; }

    /// <summary>SHA-256 of the worker token minted at launch; the token itself is never stored.</summary>
    public string? TokenHash { get; set; }

    /// <summary>A shallow copy (every member is a value or an immutable string).</summary>
    public BackgroundTask MemberwiseCopy() => (BackgroundTask)MemberwiseClone();
}
