namespace Bgtask.Tests.Infrastructure;

/// <summary>
/// The one MariaDB server of a test run, where every factory gets a database of its own. <c>BGTASK_TEST_MYSQL</c>
/// names a ready server (a server-level connection string whose user may create <c>bgtask%</c> databases); without
/// it a throwaway <c>mariadbd</c> is started, tuned for speed, and gone when the test process exits. A test that
/// kills its server starts a <see cref="MariaDbServer"/> of its own: this one must never stop.
/// </summary>
public static class SharedMariaDb
{
    public const string EnvironmentVariable = "BGTASK_TEST_MYSQL";

    private static readonly Lazy<MariaDbServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared server; the first call starts it. Throws (and keeps throwing) when there is none.</summary>
    public static MariaDbServer Instance => Shared.Value;

    private static MariaDbServer Start()
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(given) ? MariaDbServer.Start(MariaDbOptions.Fast) : MariaDbServer.Attach(given);
    }
}
