using System.Diagnostics;
using MySqlConnector;

namespace Bgtask.Tests.Faults;

/// <summary>
/// A <c>mariadbd</c> of one test's own (the shared server must never be stopped), in a temp folder on a free
/// loopback port, that the test may kill and start again on the same data folder and port. Modelled on
/// <c>Infrastructure/MariaDbServer</c>. A watchdog kills it (by the pid in its pid file) if the test process dies.
/// </summary>
public sealed class DedicatedMariaDb : IDisposable
{
    private const string User = "bgtask";
    private const string Database = "bgtask";
    private readonly string _folder = Directory.CreateTempSubdirectory("bgtask-faults-mariadb-").FullName;
    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    private Process? _server;
    private Process? _watchdog;

    private DedicatedMariaDb() => Port = ServiceProcess.FreeLoopbackPort();

    public int Port { get; }

    private string DataFolder => Path.Combine(_folder, "data");
    private string Socket => Path.Combine(_folder, "sock");

    public string ConnectionString => new MySqlConnectionStringBuilder
    {
        Server = "127.0.0.1",
        Port = (uint)Port,
        UserID = User,
        Password = _password,
        Database = Database,
    }.ConnectionString;

    /// <summary>For <c>Storage:MySql:ServerVersion</c>, read from the server once.</summary>
    public string ServerVersion { get; private set; } = "";

    public static async Task<DedicatedMariaDb> StartNewAsync()
    {
        var server = new DedicatedMariaDb();
        try
        {
            await RunAsync(Find("mariadb-install-db"), "--no-defaults", $"--user={Environment.UserName}",
                $"--datadir={server.DataFolder}", "--auth-root-authentication-method=socket", "--skip-test-db");
            await server.StartAsync();
            await RunAsync(Find("mariadb"), "--no-defaults", $"--socket={server.Socket}", $"--user={Environment.UserName}", "-e",
                $"CREATE DATABASE `{Database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; " +
                $"CREATE USER '{User}'@'127.0.0.1' IDENTIFIED BY '{server._password}'; " +
                $"GRANT ALL ON `{Database}`.* TO '{User}'@'127.0.0.1';");
            await using var connection = new MySqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            var version = connection.ServerVersion; // e.g. 10.11.6-MariaDB-0+deb12u1
            server.ServerVersion = $"{version.Split('-')[0]}-mariadb";
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Starts mariadbd on the data folder and port (again, after <see cref="Kill"/>) and waits until it answers.</summary>
    public async Task StartAsync()
    {
        if (_server is { HasExited: false }) throw new InvalidOperationException("mariadbd is running already.");
        _server?.Dispose();
        _server = Process.Start(new ProcessStartInfo(Find("mariadbd"),
        [
            "--no-defaults", $"--user={Environment.UserName}", $"--datadir={DataFolder}", $"--socket={Socket}",
            $"--pid-file={Path.Combine(_folder, "pid")}", $"--port={Port}", "--bind-address=127.0.0.1",
            "--skip-name-resolve", $"--log-error={Path.Combine(_folder, "error.log")}",
            "--innodb-flush-log-at-trx-commit=2", "--innodb-buffer-pool-size=32M", "--skip-log-bin",
        ])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        _watchdog ??= StartWatchdog();

        var admin = Find("mariadb-admin");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_server.HasExited)
                throw new InvalidOperationException($"mariadbd exited with code {_server.ExitCode}:\n{ErrorLog()}");
            try
            {
                await RunAsync(admin, "--no-defaults", $"--socket={Socket}", $"--user={Environment.UserName}", "ping");
                return;
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>SIGKILL, like a crash: InnoDB recovers at the next start.</summary>
    public void Kill()
    {
        if (_server is null) return;
        try
        {
            _server.Kill();
            _server.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _server?.Dispose();
        try { Directory.Delete(_folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (_watchdog is null) return;
        try { _watchdog.Kill(); }
        catch (InvalidOperationException) { }
        _watchdog.Dispose();
    }

    private string ErrorLog()
    {
        var path = Path.Combine(_folder, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(no error log)";
    }

    /// <summary>If this test process dies, kills whichever mariadbd the pid file names (if it is ours) and removes the folder.</summary>
    private Process StartWatchdog()
    {
        var pidFile = Path.Combine(_folder, "pid");
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; " +
                     $"p=$(cat '{pidFile}' 2>/dev/null); " +
                     $"if [ -n \"$p\" ] && grep -q '{_folder}' /proc/$p/cmdline 2>/dev/null; then kill -9 $p; sleep 1; fi; " +
                     $"rm -rf '{_folder}'";
        return Process.Start(new ProcessStartInfo("/bin/sh") { UseShellExecute = false, ArgumentList = { "-c", script } })!;
    }

    private static string Find(string name) =>
        new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" }
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} was not found: install the mariadb-server package.");

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} failed with exit code {process.ExitCode}:\n{await output}\n{await error}");
    }
}
