using System.ComponentModel.DataAnnotations;

namespace Bgtask.Api.Signals;

public sealed class SignalOptions
{
    public const string SectionName = "Signals";

    /// <summary>
    /// How often a held <c>wait</c> re-reads the database. Waiters are woken at once by this process; the
    /// re-read only catches what another replica stored.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
