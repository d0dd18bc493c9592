using System.ComponentModel.DataAnnotations;

namespace Bgtask.Api.Launches;

/// <summary>The "Tasks" section: what can be launched and how.</summary>
public sealed class TasksOptions
{
    public const string SectionName = "Tasks";

    /// <summary>Extra task assemblies (files, or folders of *.dll) for the service and its workers.</summary>
    public string[] PluginPaths { get; set; } = [];

    /// <summary>Executables registered as task types by name (<see cref="CommandOptions"/>), checked at start.</summary>
    public Dictionary<string, CommandOptions> Commands { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The launcher used when a launch names none: process or inprocess.</summary>
    [RegularExpression("^(process|inprocess)$")]
    public string DefaultLauncher { get; set; } = "process";

    /// <summary>Runners this service runs at once; launches beyond it stay pending and start in order.</summary>
    [Range(1, 100_000)]
    public int MaxRunning { get; set; } = 64;

    /// <summary>A started task that reports nothing for this long is `error`, "worker lost (no heartbeat)".</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a task past its time limit has to stop after it was sent `stop`, before it is killed.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan TimeoutGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Ended tasks older than this are deleted with their signals, configs and log.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the supervisor looks for lost heartbeats, time limits and queued launches.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}
