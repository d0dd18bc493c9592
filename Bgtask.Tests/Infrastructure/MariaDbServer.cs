using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MySqlConnector;

namespace Bgtask.Tests.Infrastructure;

/// <summary>
/// The one MariaDB server of a test run. <c>BGTASK_TEST_MYSQL</c> names a ready server (a server-level
/// connection string whose user may create <c>bgtask%</c> databases); without it a throwaway <c>mariadbd</c> is
/// started on a free loopback port in a temp folder and stopped by its pid when the test process exits.
/// Every factory gets a database of its own on it.
/// </summary>
public sealed partial class MariaDbServer
{
    public const string EnvironmentVariable = "BGTASK_TEST_MYSQL";

    private static readonly Lazy<MariaDbServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared server; the first call starts it. Throws (and keeps throwing) when there is none.</summary>
    public static MariaDbServer Instance => Shared.Value;

    private readonly string _connectionString;

    private MariaDbServer(string connectionString)
    {
        _connectionString = connectionString;
        using var connection = new MySqlConnection(connectionString);
        connection.Open();
        using var command = new MySqlCommand("SELECT VERSION()", connection);
        var version = (string)command.ExecuteScalar()!;
        var number = VersionNumber().Match(version);
        if (!number.Success) throw new InvalidOperationException($"Cannot read the server version from '{version}'.");
        var flavour = version.Contains("mariadb", StringComparison.OrdinalIgnoreCase) ? "mariadb" : "mysql";
        ServerVersion = $"{number.Value}-{flavour}";
    }

    /// <summary>For <c>Storage:MySql:ServerVersion</c>, e.g. <c>10.11.6-mariadb</c>: read once, so no factory auto-detects.</summary>
    public string ServerVersion { get; }

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

    private void Execute(string sql)
    {
        using var connection = new MySqlConnection(_connectionString);
        connection.Open();
        using var command = new MySqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+")]
    private static partial Regex VersionNumber();

    private static MariaDbServer Start()
    {
        var given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            var builder = new MySqlConnectionStringBuilder(given) { Database = "" };
            return new MariaDbServer(builder.ConnectionString);
        }
        return new MariaDbServer(ThrowawayServer.Start());
    }

    /// <summary>A <c>mariadbd</c> of our own, in a temp folder, gone when the test process exits.</summary>
    private static class ThrowawayServer
    {
        private const string User = "bgtask";
        private const string FolderPrefix = "bgtask-mariadb-";
        private static readonly string[] BinaryFolders = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

        public static string Start()
        {
            var mariadbd = Find("mariadbd");
            var installDb = Find("mariadb-install-db");
            var client = Find("mariadb");
            var admin = Find("mariadb-admin");
            if (mariadbd is null || installDb is null || client is null || admin is null)
                throw new InvalidOperationException(
                    "The MariaDB tests need a MariaDB server and none was found: install the mariadb-server package " +
                    "(apt-get install -y mariadb-server; scripts/test.sh does it) or set " + EnvironmentVariable +
                    " to a server connection string whose user may create `bgtask%` databases.");

            RemoveStaleFolders();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return StartIn(NewFolder(), mariadbd, installDb, client, admin);
                }
                catch (ServerExitedException) when (attempt < 3)
                {
                    // Most likely the free port was taken before mariadbd bound it: again, in a new folder.
                }
            }
        }

        /// <summary>A new folder in the temp folder, unless its path is too long for a unix socket (108 bytes).</summary>
        private static string NewFolder()
        {
            var parent = Path.GetTempPath().Length <= 60 ? Path.GetTempPath() : "/tmp";
            var folder = Path.Combine(parent, FolderPrefix + Guid.NewGuid().ToString("N")[..8]);
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
            else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return folder;
        }

        private static string StartIn(string folder, string mariadbd, string installDb, string client, string admin)
        {
            try
            {
                var data = Path.Combine(folder, "data");
                var socket = Path.Combine(folder, "sock");
                Run(installDb, "--no-defaults", $"--user={Environment.UserName}", $"--datadir={data}",
                    "--auth-root-authentication-method=socket", "--skip-test-db");

                var port = FreeLoopbackPort();
                // The InnoDB settings trade durability for speed: this server lives for one test run.
                var server = Process.Start(new ProcessStartInfo(mariadbd,
                [
                    "--no-defaults", $"--user={Environment.UserName}", $"--datadir={data}", $"--socket={socket}",
                    $"--pid-file={Path.Combine(folder, "pid")}", $"--port={port}", "--bind-address=127.0.0.1",
                    "--skip-name-resolve", $"--log-error={Path.Combine(folder, "error.log")}", "--max-connections=1000",
                    "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--innodb-buffer-pool-size=128M",
                    "--skip-log-bin",
                ])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                })!;
                server.OutputDataReceived += (_, _) => { };
                server.ErrorDataReceived += (_, _) => { };
                server.BeginOutputReadLine();
                server.BeginErrorReadLine();
                var watchdog = StartWatchdog(server.Id, folder);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(server, watchdog, folder);

                WaitUntilAnswering(admin, socket, server, folder);
                var password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
                Run(client, "--no-defaults", $"--socket={socket}", $"--user={Environment.UserName}", "-e",
                    $"CREATE USER '{User}'@'127.0.0.1' IDENTIFIED BY '{password}'; " +
                    $"GRANT ALL ON `bgtask%`.* TO '{User}'@'127.0.0.1';");
                return new MySqlConnectionStringBuilder
                {
                    Server = "127.0.0.1",
                    Port = (uint)port,
                    UserID = User,
                    Password = password,
                    MaximumPoolSize = 200,
                }.ConnectionString;
            }
            catch
            {
                TryDelete(folder);
                throw;
            }
        }

        private static string? Find(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(BinaryFolders)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

        private static int FreeLoopbackPort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static void Run(string file, params string[] arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill();
                throw new InvalidOperationException($"{file} did not finish within 60 s.");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException(
                    $"{file} failed with exit code {process.ExitCode}:\n{output.Result}\n{error.Result}");
        }

        private static void WaitUntilAnswering(string admin, string socket, Process server, string folder)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                if (server.HasExited)
                    throw new ServerExitedException($"mariadbd exited with code {server.ExitCode} at start:\n{ErrorLog(folder)}");
                try
                {
                    Run(admin, "--no-defaults", $"--socket={socket}", $"--user={Environment.UserName}", "ping");
                    return;
                }
                catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(100);
                }
            }
        }

        private static string ErrorLog(string folder)
        {
            var path = Path.Combine(folder, "error.log");
            return File.Exists(path) ? File.ReadAllText(path) : "(no error log)";
        }

        /// <summary>
        /// Ends mariadbd when this test process dies without running its exit handlers (killed, crashed). It
        /// checks the command line before killing, so a pid reused meanwhile is left alone.
        /// </summary>
        private static Process StartWatchdog(int serverPid, string folder)
        {
            var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 {serverPid} 2>/dev/null; " +
                         "do sleep 1; done; " +
                         $"if grep -q '{folder}' /proc/{serverPid}/cmdline 2>/dev/null; then kill -9 {serverPid}; sleep 1; fi; " +
                         $"rm -rf '{folder}'";
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            return Process.Start(start)!;
        }

        /// <summary>
        /// Quick, because the test host may be ended soon after it starts exiting: kill the server, remove its folder,
        /// and only then the watchdog, which does both itself if this is cut short.
        /// </summary>
        private static void Stop(Process server, Process watchdog, string folder)
        {
            Kill(server);
            TryDelete(folder);
            Kill(watchdog);
        }

        private static void Kill(Process process)
        {
            try
            {
                process.Kill();
                process.WaitForExit(5_000);
            }
            catch (InvalidOperationException)
            {
                // It has already gone.
            }
        }

        /// <summary>Removes the folders of earlier runs whose server is gone (a run that was killed outright).</summary>
        private static void RemoveStaleFolders()
        {
            foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
            {
                var pidFile = Path.Combine(folder, "pid");
                var pid = File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var p) ? p : 0;
                var commandLine = $"/proc/{pid}/cmdline";
                var running = pid > 0 && File.Exists(commandLine) && File.ReadAllText(commandLine).Contains(folder);
                var young = Directory.GetCreationTimeUtc(folder) > DateTime.UtcNow.AddMinutes(-1);
                if (!running && !young) TryDelete(folder);
            }
        }

        private static void TryDelete(string folder)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        private sealed class ServerExitedException(string message) : InvalidOperationException(message);
    }
}
