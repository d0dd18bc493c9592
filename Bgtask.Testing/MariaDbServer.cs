using System.Diagnostics;
using System.Text.RegularExpressions;
using MySqlConnector;

namespace Bgtask.Testing;

/// <summary>
/// A MariaDB server for the tests and the bench: a throwaway <c>mariadbd</c> of our own (<see cref="Start"/>), in a
/// temp folder on a loopback port, or a ready server (<see cref="Attach"/>). An own server can be killed and
/// started again on the same data and port (the fault tests); it is stopped by its pid on dispose or when this
/// process exits, and a watchdog stops it if this process is killed.
/// </summary>
public sealed partial class MariaDbServer : IDisposable
{
    internal const string User = "bgtask";
    private const string FolderPrefix = "bgtask-mariadb-";

    private readonly string _connectionString;
    private readonly MariaDbOptions _options;
    private readonly string? _folder;
    private Process? _server;
    private Process? _watchdog;
    private bool _disposed;

    private MariaDbServer(string connectionString, MariaDbOptions options, string? folder)
    {
        _connectionString = connectionString;
        _options = options;
        _folder = folder;
    }

    /// <summary>For <c>Storage:MySql:ServerVersion</c>, e.g. <c>10.11.6-mariadb</c>: read once, so no service auto-detects.</summary>
    public string ServerVersion { get; private set; } = "";

    public string BindAddress => new MySqlConnectionStringBuilder(_connectionString).Server;

    public int Port => (int)new MySqlConnectionStringBuilder(_connectionString).Port;

    /// <summary>The OS pid of our own <c>mariadbd</c> while it runs; null for a ready server or a killed one.</summary>
    public int? OsPid => _server is { HasExited: false } server ? server.Id : null;

    /// <summary>A server that is running already; <paramref name="serverConnectionString"/>'s user creates the databases.</summary>
    public static MariaDbServer Attach(string serverConnectionString)
    {
        var builder = new MySqlConnectionStringBuilder(serverConnectionString) { Database = "" };
        var server = new MariaDbServer(builder.ConnectionString, new MariaDbOptions(), folder: null);
        server.ReadServerVersion();
        return server;
    }

    /// <summary>Starts a new server in a new data folder, with a user that may use <see cref="MariaDbOptions.GrantedDatabases"/>.</summary>
    public static MariaDbServer Start(MariaDbOptions? options = null)
    {
        options ??= new MariaDbOptions();
        RemoveStaleFolders();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return StartIn(NewFolder(), options.Port == 0 ? options with { Port = Loopback.FreePort(options.BindAddress) } : options);
            }
            catch (ServerExitedException) when (attempt < 3 && options.Port == 0)
            {
                // Most likely the free port was taken before mariadbd bound it: again, in a new folder.
            }
        }
    }

    public static Task<MariaDbServer> StartAsync(MariaDbOptions? options = null) => Task.Run(() => Start(options));

    public string CreateDatabase()
    {
        var name = $"bgtask_t{Guid.NewGuid():N}"[..24];
        // The server's defaults (latin1 on a server started with --no-defaults), as an administrator would create
        // it: choosing utf8mb4 is the migrations' job.
        Execute($"CREATE DATABASE `{name}`");
        return name;
    }

    public void DropDatabase(string name) => Execute($"DROP DATABASE IF EXISTS `{name}`");

    public string ConnectionStringFor(string database) =>
        new MySqlConnectionStringBuilder(_connectionString) { Database = database }.ConnectionString;

    /// <summary>SIGKILL, like a crash: InnoDB recovers at the next <see cref="Restart"/>.</summary>
    public void Kill() => Processes.Kill(_server);

    /// <summary>Starts our <c>mariadbd</c> again on its data folder and port (after <see cref="Kill"/>) and waits until it answers.</summary>
    public void Restart()
    {
        if (_folder is null) throw new InvalidOperationException("A server this process did not start cannot be restarted.");
        if (OsPid is not null) throw new InvalidOperationException("mariadbd is running already.");
        Launch();
    }

    /// <summary>Quick, since this process may be ended soon after it starts exiting; the watchdog covers the rest.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        MySqlConnection.ClearAllPools();
        Kill();
        _server?.Dispose();
        if (_folder is not null) TryDelete(_folder);
        Watchdog.Stop(_watchdog);
    }

    private void OnProcessExit(object? sender, EventArgs e) => Dispose();

    private string DataFolder => Path.Combine(_folder!, "data");
    private string Socket => Path.Combine(_folder!, "sock");

    private static MariaDbServer StartIn(string folder, MariaDbOptions options)
    {
        var password = options.Password ?? Convert.ToHexString(Guid.NewGuid().ToByteArray());
        var server = new MariaDbServer(new MySqlConnectionStringBuilder
        {
            Server = options.BindAddress,
            Port = (uint)options.Port,
            UserID = User,
            Password = password,
            MaximumPoolSize = 200,
        }.ConnectionString, options, folder);
        try
        {
            Commands.Run(Commands.Find("mariadb-install-db"), "--no-defaults", $"--user={Environment.UserName}",
                $"--datadir={server.DataFolder}", "--auth-root-authentication-method=socket", "--skip-test-db");
            server.Launch();
            // From any loopback address: a client of a server bound to 127.0.0.11 still comes from 127.0.0.1.
            if (options.CreateUser)
                server.Sql($"CREATE USER '{User}'@'127.%' IDENTIFIED BY '{password}'; " +
                           $"GRANT ALL ON `{options.GrantedDatabases}`.* TO '{User}'@'127.%';");
            server.ReadServerVersion();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private void Launch()
    {
        var firstStart = _server is null;
        _server?.Dispose();
        File.WriteAllText(OptionFile, OptionFileText());
        _server = Process.Start(new ProcessStartInfo(Commands.Find("mariadbd"),
            [$"--defaults-file={OptionFile}", .. firstStart ? _options.FirstStartArguments : []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        if (_watchdog is null)
        {
            _watchdog = Watchdog.ForPidFile(Path.Combine(_folder!, "pid"), _folder!);
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        }
        WaitUntilAnswering();
        if (_options.ReadyStatus is { } ready) WaitUntilStatus(ready.Variable, ready.Value);
    }

    /// <summary>A <c>SHOW STATUS</c> variable of our own server, read as its administrator over the socket (so even
    /// while a Galera node joins and answers its users 1047); null when the server does not have it.</summary>
    public string? Status(string variable)
    {
        var output = Sql($"SHOW STATUS LIKE '{variable}'");
        var columns = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Split('\t');
        return columns is [_, var value] ? value : null;
    }

    /// <summary>Statements run by the administrator over the socket; returns what they print, tab-separated.</summary>
    private string Sql(string statements)
    {
        if (_folder is null) throw new InvalidOperationException("Only a server this process started has a socket of its own.");
        return Commands.Run(Commands.Find("mariadb"), "--no-defaults", $"--socket={Socket}", $"--user={Environment.UserName}",
            "--batch", "--skip-column-names", "-e", statements);
    }

    private void WaitUntilStatus(string variable, string value)
    {
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        string? seen = null;
        while (true)
        {
            if (_server!.HasExited)
                throw new ServerExitedException($"mariadbd exited with code {_server.ExitCode} before {variable} was {value}:\n{ErrorLog()}");
            try
            {
                seen = Status(variable);
                if (seen == value) return;
            }
            catch (InvalidOperationException)
            {
                // Not answering for a moment (a Galera joiner between its state transfer and its restart of InnoDB).
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{variable} was still '{seen}', not '{value}', after {_options.StartTimeout}:\n{ErrorLog()}");
            Thread.Sleep(200);
        }
    }

    /// <summary>
    /// The server's settings as an option file of its own rather than arguments after <c>--no-defaults</c>: a Galera
    /// node's state transfer runs <c>mariadb-backup</c>, which would otherwise read the machine's /etc/mysql (whose
    /// socket, data folder and syslog are not ours) and is given the arguments in a form it rejects.
    /// </summary>
    private string OptionFileText()
    {
        var lines = new List<string> { "[mysqld]" };
        foreach (var argument in Arguments())
        {
            var option = argument.TrimStart('-');
            var equals = option.IndexOf('=');
            if (equals < 0 || option.AsSpan(equals + 1).IndexOfAny(" #;\"'\\") < 0)
            {
                lines.Add(option);
                continue;
            }
            // Quoted, so that a ';' or '#' is not taken for a comment (wsrep-provider-options has ';').
            var value = option[(equals + 1)..].Replace("\\", "\\\\").Replace("\"", "\\\"");
            lines.Add($"{option[..equals]}=\"{value}\"");
        }
        // The state transfer's own log goes to the data folder (mariabackup.backup.log), not to syslog.
        lines.AddRange(["[sst]", "sst-syslog=-1"]);
        return string.Join('\n', lines) + "\n";
    }

    private string OptionFile => Path.Combine(_folder!, "my.cnf");

    private IEnumerable<string> Arguments()
    {
        string[] arguments =
        [
            $"--user={Environment.UserName}", $"--datadir={DataFolder}", $"--socket={Socket}",
            $"--pid-file={Path.Combine(_folder!, "pid")}", $"--port={_options.Port}", $"--bind-address={_options.BindAddress}",
            "--skip-name-resolve", $"--log-error={Path.Combine(_folder!, "error.log")}",
            $"--max-connections={_options.MaxConnections}", $"--innodb-buffer-pool-size={_options.BufferPoolSize}",
            "--skip-log-bin",
        ];
        var durability = new List<string>();
        if (_options.FlushLogAtTrxCommit is { } flush) durability.Add($"--innodb-flush-log-at-trx-commit={flush}");
        if (_options.Doublewrite is { } doublewrite) durability.Add($"--innodb-doublewrite={(doublewrite ? 1 : 0)}");
        return arguments.Concat(durability).Concat(_options.ExtraArguments);
    }

    private void WaitUntilAnswering()
    {
        var admin = Commands.Find("mariadb-admin");
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (true)
        {
            if (_server!.HasExited)
                throw new ServerExitedException($"mariadbd exited with code {_server.ExitCode} at start:\n{ErrorLog()}");
            try
            {
                Commands.Run(admin, "--no-defaults", $"--socket={Socket}", $"--user={Environment.UserName}", "ping");
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }

    private void ReadServerVersion()
    {
        using var connection = new MySqlConnection(_connectionString);
        connection.Open();
        using var command = new MySqlCommand("SELECT VERSION()", connection);
        var version = (string)command.ExecuteScalar()!;
        var number = VersionNumber().Match(version);
        if (!number.Success) throw new InvalidOperationException($"Cannot read the server version from '{version}'.");
        var flavour = version.Contains("mariadb", StringComparison.OrdinalIgnoreCase) ? "mariadb" : "mysql";
        ServerVersion = $"{number.Value}-{flavour}";
    }

    private void Execute(string sql)
    {
        using var connection = new MySqlConnection(_connectionString);
        connection.Open();
        using var command = new MySqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+")]
    private static partial Regex VersionNumber();

    private string ErrorLog()
    {
        var path = Path.Combine(_folder!, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(no error log)";
    }

    /// <summary>A new folder in the temp folder, unless its path is too long for a unix socket (108 bytes).</summary>
    private static string NewFolder()
    {
        var folder = Path.Combine(TempRoot, FolderPrefix + Guid.NewGuid().ToString("N")[..8]);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return folder;
    }

    private static string TempRoot => Path.GetTempPath().Length <= 60 ? Path.GetTempPath() : "/tmp";

    /// <summary>
    /// Removes the folders of earlier runs that were killed outright. A folder is in use while any process names it
    /// (its server, or the watchdog of a server killed for a moment by a fault test).
    /// </summary>
    private static void RemoveStaleFolders()
    {
        var commandLines = Directory.EnumerateDirectories("/proc")
            .Select(process => Path.Combine(process, "cmdline"))
            .Select(file =>
            {
                try { return File.ReadAllText(file); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
            })
            .Where(line => line.Contains(FolderPrefix))
            .ToList();
        foreach (var folder in Directory.EnumerateDirectories(TempRoot, FolderPrefix + "*"))
        {
            var inUse = commandLines.Any(line => line.Contains(folder));
            var young = Directory.GetCreationTimeUtc(folder) > DateTime.UtcNow.AddMinutes(-1);
            if (!inUse && !young) TryDelete(folder);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private sealed class ServerExitedException(string message) : InvalidOperationException(message);
}
