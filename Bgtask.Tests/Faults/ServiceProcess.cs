using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Faults;

/// <summary>
/// The built service (<c>Bgtask.Api</c> beside the tests, or in another folder such as a publish output) as a real
/// OS process of its own, so a test can SIGKILL it and start it again on the same port and database. Settings are
/// given as environment variables. Dispose kills it and any worker it left, by OS pid, and deletes the SQLite file
/// it owns.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Dictionary<string, string> _settings;
    private readonly string? _sqliteFile;
    private readonly string _folder;
    private readonly string _workingDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private Process? _watchdog;

    /// <param name="settings">Configuration keys (<c>Tasks:MaxRunning</c>) and values; ':' becomes '__'.</param>
    /// <param name="connectionString">Null: a SQLite file of its own in the temp folder.</param>
    /// <param name="folder">The service's binaries; null: the build beside the tests.</param>
    /// <param name="workingDirectory">Where it is started from; null: its own folder.</param>
    public ServiceProcess(IReadOnlyDictionary<string, string>? settings = null, string? connectionString = null,
        string? folder = null, string? workingDirectory = null)
    {
        _folder = folder ?? AppContext.BaseDirectory;
        _workingDirectory = workingDirectory ?? _folder;
        Port = FreeLoopbackPort();
        if (connectionString is null)
        {
            _sqliteFile = Path.Combine(Path.GetTempPath(), $"bgtask-service-{Guid.NewGuid():N}.db");
            connectionString = $"Data Source={_sqliteFile}";
        }
        _settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Bgtask"] = connectionString,
            // appsettings.json's second sink writes files under logs/: make it a console sink for fatal events only.
            ["Serilog__WriteTo__1__Name"] = "Console",
            ["Serilog__WriteTo__1__Args__restrictedToMinimumLevel"] = "Fatal",
            ["Serilog__MinimumLevel__Default"] = "Warning",
            ["Serilog__MinimumLevel__Override__Microsoft.EntityFrameworkCore"] = "Error",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            _settings[key.Replace(":", "__")] = value;
        Address = new Uri($"http://127.0.0.1:{Port}/");
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public int? OsPid => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>What the service printed (its warnings and errors), for a failure message.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the service and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (OsPid is not null) throw new InvalidOperationException("The service is running already.");
        var apphost = Path.Combine(_folder, "Bgtask.Api");
        var start = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(_folder, "Bgtask.Api.dll") } };
        start.WorkingDirectory = _workingDirectory;
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        foreach (var (key, value) in _settings) start.Environment[key] = value;

        _process?.Dispose();
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        StartWatchdog(_process.Id);

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode} at start:\n{Output}");
            try
            {
                using var ready = await Client.GetAsync("/health/ready");
                if (ready.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The service was not ready within the deadline:\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: no shutdown of any kind, like a crash or an OOM kill.</summary>
    public void Kill()
    {
        if (_process is null) return;
        try
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // It has gone already.
        }
        StopWatchdog();
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        WorkerProcesses.KillAllOf(Address);
        Client.Dispose();
        if (_sqliteFile is not null)
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(_sqliteFile + suffix);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (_output.Length < 200_000) _output.AppendLine(line);
        }
    }

    /// <summary>Kills the service if this test process dies first (checking its command line, in case the pid was reused).</summary>
    private void StartWatchdog(int servicePid)
    {
        StopWatchdog();
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null && kill -0 {servicePid} 2>/dev/null; do sleep 1; done; " +
                     $"if grep -q Bgtask.Api /proc/{servicePid}/cmdline 2>/dev/null; then kill -9 {servicePid}; fi";
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, ArgumentList = { "-c", script } };
        _watchdog = Process.Start(start);
    }

    private void StopWatchdog()
    {
        if (_watchdog is null) return;
        try
        {
            _watchdog.Kill();
            _watchdog.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
        }
        _watchdog.Dispose();
        _watchdog = null;
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
