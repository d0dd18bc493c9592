using System.ComponentModel.DataAnnotations;

namespace Bgtask.Api.Reports;

/// <summary>The "History" section: how a task's history points are spaced and capped.</summary>
public sealed class HistoryOptions
{
    public const string SectionName = "History";

    /// <summary>The least time between two report points of a young task; it doubles as the task ages.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most points a task keeps (the contract's cap is 1,000); reaching it halves the older ones.</summary>
    [Range(4, 1000)]
    public int MaxPoints { get; set; } = 1000;
}
