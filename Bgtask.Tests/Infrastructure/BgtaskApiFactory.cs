using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MySqlConnector;

namespace Bgtask.Tests.Infrastructure;

/// <summary>
/// The API on a fresh database of its own: a temp SQLite file, or a new database on the shared MariaDB server
/// (InnoDB or MEMORY). One per test class (an xunit class fixture); the database is dropped with it.
/// </summary>
/// <remarks>
/// By default the API runs in memory (TestServer). A subclass passing <c>serveOnLoopback: true</c> (see
/// <see cref="LoopbackApiFactory{TTarget}"/>) serves it on a real Kestrel port of 127.0.0.1 instead, so a
/// child process, such as the worker, can reach it at <see cref="ServerAddress"/>. <see cref="With"/> makes one
/// with settings of its own, and log files a test can read. Requests come from 127.0.0.1 unless they name another
/// address (<see cref="CallerAddressFilter"/>).
/// </remarks>
public class BgtaskApiFactory<TTarget> : WebApplicationFactory<Program> where TTarget : IStorageTarget
{
    private readonly string _connectionString;
    private readonly string? _sqliteFile;
    private readonly string? _mySqlDatabase;
    private readonly bool _serveOnLoopback;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string? _logFolder;
    private bool _cleanedUp;

    public BgtaskApiFactory() : this(serveOnLoopback: false)
    {
    }

    protected BgtaskApiFactory(bool serveOnLoopback) : this(serveOnLoopback, new Dictionary<string, string?>(), logFiles: false)
    {
    }

    private BgtaskApiFactory(bool serveOnLoopback, IReadOnlyDictionary<string, string?> settings, bool logFiles)
    {
        _serveOnLoopback = serveOnLoopback;
        _settings = settings;
        if (logFiles) _logFolder = Directory.CreateTempSubdirectory("bgtask-test-logs-").FullName;
        if (Target == StorageTarget.Sqlite)
        {
            _sqliteFile = Path.Combine(Path.GetTempPath(), $"bgtask-test-{Guid.NewGuid():N}.db");
            _connectionString = $"Data Source={_sqliteFile}";
        }
        else
        {
            _mySqlDatabase = MariaDb.CreateDatabase();
            _connectionString = MariaDb.ConnectionStringFor(_mySqlDatabase);
        }
        if (serveOnLoopback) UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>
    /// An API in memory with <paramref name="settings"/> of its own (read once the host is built: options, Serilog;
    /// not storage). <paramref name="logFiles"/>: appsettings.json's rolling log files, in <see cref="LogDirectory"/>.
    /// </summary>
    public static BgtaskApiFactory<TTarget> With(IReadOnlyDictionary<string, string?> settings, bool logFiles = false) =>
        new(serveOnLoopback: false, settings, logFiles);

    public StorageTarget Target => TTarget.Kind;

    /// <summary>The connection string of this factory's own database.</summary>
    public string ConnectionString => _connectionString;

    private static MariaDbServer MariaDb => SharedMariaDb.Instance;

    /// <summary>The folder of the log files (<see cref="With"/> <c>logFiles: true</c>).</summary>
    public string LogDirectory => _logFolder ?? throw new InvalidOperationException("This factory writes no log files.");

    /// <summary>Settings a subclass adds or overrides (for example a shorter <c>Signals:RecheckInterval</c>).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    /// <summary>The server's address, such as <c>http://127.0.0.1:40123</c>; only when serving on loopback.</summary>
    public Uri ServerAddress
    {
        get
        {
            if (!_serveOnLoopback) throw new InvalidOperationException("This factory serves in memory, not on a port.");
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return new Uri(addresses.Addresses.First());
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Production, like a real deployment: no developer exception page in the way of the problem details.
        builder.UseEnvironment(Environments.Production);
        foreach (var (key, value) in Settings().Concat(ExtraSettings))
            builder.UseSetting(key, value);
        // Host settings reach a WebApplication as --key=value arguments, parent sections included with an empty
        // value, and Serilog takes an empty "Serilog:WriteTo:1" for a sink named "" and drops it silently: what is
        // read once the host is built goes in as app configuration, which also overrides the settings above.
        var app = new Dictionary<string, string?>(_settings);
        if (_logFolder is not null) app.TryAdd("Serilog:WriteTo:1:Args:path", Path.Combine(_logFolder, "bgtask-.log"));
        if (app.Count > 0) builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(app));
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, CallerAddressFilter>());
    }

    private IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        yield return new("ConnectionStrings:Bgtask", _connectionString);
        yield return new("Storage:MigrateOnStart", "true");
        yield return new("Storage:Provider", Target == StorageTarget.Sqlite ? "Sqlite" : "MySql");
        if (Target != StorageTarget.Sqlite)
        {
            yield return new("Storage:MySql:Engine", Target == StorageTarget.MariaDbMemory ? "MEMORY" : "InnoDB");
            yield return new("Storage:MySql:ServerVersion", MariaDb.ServerVersion);
        }

        // Quiet, and console only: appsettings.json also has a rolling file sink under logs/, which a test run
        // must not create. Its entry becomes a second console sink that only ever writes fatal events.
        yield return new("Serilog:MinimumLevel:Default", "Warning");
        yield return new("Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime", "Warning");
        yield return new("Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore", "Error");
        if (_logFolder is not null) yield break;
        yield return new("Serilog:WriteTo:1:Name", "Console");
        yield return new("Serilog:WriteTo:1:Args:restrictedToMinimumLevel", "Fatal");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing || _cleanedUp) return;
        _cleanedUp = true;
        if (_sqliteFile is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(_sqliteFile + suffix);
        }
        if (_mySqlDatabase is not null)
        {
            // Idle pooled connections to a dropped database would only pile up on the server.
            MySqlConnection.ClearAllPools();
            MariaDb.DropDatabase(_mySqlDatabase);
        }
        if (_logFolder is not null)
        {
            try
            {
                Directory.Delete(_logFolder, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp folder; never in the repository.
            }
        }
    }
}

/// <summary>The API on a real Kestrel port of 127.0.0.1, for tests where another process must reach it.</summary>
public sealed class LoopbackApiFactory<TTarget>() : BgtaskApiFactory<TTarget>(serveOnLoopback: true)
    where TTarget : IStorageTarget;
