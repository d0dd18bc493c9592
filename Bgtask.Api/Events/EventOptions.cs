using System.ComponentModel.DataAnnotations;

namespace Bgtask.Api.Events;

/// <summary>The "Events" section: the live event streams.</summary>
public sealed class EventOptions
{
    public const string SectionName = "Events";

    /// <summary>Recent events kept in memory, so a client that reconnects with Last-Event-ID misses none.</summary>
    [Range(16, 1_000_000)]
    public int BufferSize { get; set; } = 10_000;

    /// <summary>At most this many characters of event data kept in the buffer (64 Mi by default); the oldest go first.</summary>
    [Range(1024, long.MaxValue)]
    public long BufferBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A comment line sent on an idle stream, so proxies and clients know it is alive.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Events queued for one slow client before its stream is ended (it reconnects and resumes).</summary>
    [Range(16, 1_000_000)]
    public int ClientQueue { get; set; } = 10_000;

    /// <summary>Tasks sent in the snapshot of the all-tasks stream (newest first).</summary>
    [Range(1, 5_000)]
    public int SnapshotSize { get; set; } = 200;
}
