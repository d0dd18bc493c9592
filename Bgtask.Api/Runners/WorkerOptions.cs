using System.ComponentModel.DataAnnotations;

namespace Bgtask.Api.Runners;

/// <summary>The "Worker" section: the worker executable the process launcher starts.</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>The worker executable (or .dll, run with dotnet). Empty: the one built beside the service.</summary>
    public string? Path { get; set; }

    /// <summary>The service's URL as workers reach it. Empty: the first address the service listens on.</summary>
    public string? ApiUrl { get; set; }

    /// <summary>How long a worker keeps retrying while the service is away.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long kill waits for a killed worker's process tree to be gone.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan KillWait { get; set; } = TimeSpan.FromSeconds(5);
}
