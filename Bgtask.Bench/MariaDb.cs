using System.Diagnostics;
using MySqlConnector;

namespace Bgtask.Bench;

/// <summary>A throwaway mariadbd on a free loopback port in a temp folder, stopped by its pid.</summary>
public sealed class MariaDb : IAsyncDisposable
{
    private readonly Process _server;
    private readonly string _folder;

    private MariaDb(Process server, string folder, int port, string version)
    {
        _server = server;
        _folder = folder;
        Port = port;
        ServerVersion = version;
    }

    public int Port { get; }
    public string ServerVersion { get; }

    public string ConnectionString(string database) =>
        $"Server=127.0.0.1;Port={Port};User ID=bgtask;Password=pw;Database={database};Maximum Pool Size=200";

    public static async Task<MariaDb> StartAsync(string folder)
    {
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "data");
        var socket = Path.Combine(folder, "sock");
        await RunAsync("mariadb-install-db", "--no-defaults", "--user=root", $"--datadir={data}",
            "--auth-root-authentication-method=socket", "--skip-test-db");
        var port = Bench.FreePort();
        var info = new ProcessStartInfo("mariadbd") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--no-defaults", "--user=root", $"--datadir={data}", $"--socket={socket}",
                     $"--pid-file={folder}/pid", $"--port={port}", "--bind-address=127.0.0.1", "--skip-name-resolve",
                     $"--log-error={folder}/error.log", "--max-connections=1000", "--innodb-buffer-pool-size=128M" })
            info.ArgumentList.Add(a);
        var server = Process.Start(info)!;
        try
        {
            var deadline = Stopwatch.StartNew();
            while (await TryRunAsync("mariadb-admin", $"--socket={socket}", "ping") != 0)
            {
                if (server.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
                    throw new InvalidOperationException("mariadbd did not start: " + await File.ReadAllTextAsync($"{folder}/error.log"));
                await Task.Delay(100);
            }
            await RunAsync("mariadb", $"--socket={socket}", "-e",
                "CREATE USER 'bgtask'@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT ALL ON `bench%`.* TO 'bgtask'@'127.0.0.1';");
            await using var connection = new MySqlConnection($"Server=127.0.0.1;Port={port};User ID=bgtask;Password=pw");
            await connection.OpenAsync();
            await using var select = new MySqlCommand("SELECT VERSION()", connection);
            var version = ((string)(await select.ExecuteScalarAsync())!).Split('-')[0] + "-mariadb";
            Console.WriteLine($"started MariaDB {version} on port {port} (pid {server.Id})");
            return new MariaDb(server, folder, port, version);
        }
        catch
        {
            // Never leave a server behind: it was started, so it is stopped by its pid.
            if (!server.HasExited) server.Kill();
            server.Dispose();
            throw;
        }
    }

    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"bench_{Guid.NewGuid():N}"[..20];
        await using var connection = new MySqlConnection($"Server=127.0.0.1;Port={Port};User ID=bgtask;Password=pw");
        await connection.OpenAsync();
        await using var command = new MySqlCommand($"CREATE DATABASE `{name}`", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        if (await TryRunAsync(file, arguments) is var code and not 0)
            throw new InvalidOperationException($"{file} exited with {code}");
    }

    private static async Task<int> TryRunAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        if (!_server.HasExited) _server.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
