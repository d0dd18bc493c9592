using System.ComponentModel.DataAnnotations;

namespace Bgtask.Api.RateLimiting;

/// <summary>The "RateLimiting" section.</summary>
public sealed class LaunchRateOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Launches (POST /api/tasks) each client may make per minute; 0 turns the limit off (the default).</summary>
    [Range(0, 1_000_000)]
    public int LaunchesPerMinute { get; set; }
}
