using System.Diagnostics;
using System.Net;
using System.Text;

namespace Bgtask.Testing;

/// <summary>
/// The service (<c>Bgtask.Api</c> beside this program, or in another folder such as a publish output) as a real OS
/// process of its own on a free loopback port, so a test can SIGKILL it and start it again on the same port and
/// database, and the bench can measure it. Settings are given as
/// environment variables. Dispose kills it and any worker it left, by OS pid, and deletes the SQLite file it owns.
/// </summary>
public sealed class ServiceProcess : IDisposable, IAsyncDisposable
{
    private readonly Dictionary<string, string> _settings;
    private readonly string _folder;
    private readonly string _workingDirectory;
    private readonly Action<string>? _onOutput;
    private readonly string? _sqliteFile;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private Process? _watchdog;

    /// <param name="settings">Configuration keys (<c>Tasks:MaxRunning</c>) and values; ':' becomes '__'.</param>
    /// <param name="connectionString">Null: a SQLite file of its own in the temp folder.</param>
    /// <param name="folder">The service's binaries; null: the build beside this program (the tests reference it).</param>
    /// <param name="workingDirectory">Where it is started from; null: its own folder.</param>
    /// <param name="onOutput">Also gets each line the service prints (its warnings and errors).</param>
    /// <param name="port">The loopback port to serve on; null: a free one. Known before start, for settings that name it.</param>
    public ServiceProcess(IEnumerable<KeyValuePair<string, string>>? settings = null, string? connectionString = null,
        string? folder = null, string? workingDirectory = null, Action<string>? onOutput = null, int? port = null)
    {
        Port = port ?? Loopback.FreePort();
        _folder = folder ?? AppContext.BaseDirectory;
        _workingDirectory = workingDirectory ?? _folder;
        _onOutput = onOutput;
        if (connectionString is null)
        {
            _sqliteFile = Path.Combine(Path.GetTempPath(), $"bgtask-service-{Guid.NewGuid():N}.db");
            connectionString = $"Data Source={_sqliteFile}";
        }
        ConnectionString = connectionString;
        _settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Bgtask"] = connectionString,
            // appsettings.json's second sink writes files under logs/: make it a console sink for fatal events only.
            ["Serilog__WriteTo__1__Name"] = "Console",
            ["Serilog__WriteTo__1__Args__restrictedToMinimumLevel"] = "Fatal",
            ["Serilog__MinimumLevel__Default"] = "Warning",
            ["Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime"] = "Warning",
            ["Serilog__MinimumLevel__Override__Microsoft.EntityFrameworkCore"] = "Error",
        };
        foreach (var (key, value) in settings ?? [])
            _settings[key.Replace(":", "__")] = value;
        Address = new Uri($"http://127.0.0.1:{Port}/");
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public int Port { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    /// <summary>The service's <c>ConnectionStrings:Bgtask</c>.</summary>
    public string ConnectionString { get; }

    public int? OsPid => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>What the service printed (its warnings and errors), for a failure message.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the service (again, after <see cref="Kill"/>) and waits until <c>/health/ready</c> answers 200.</summary>
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
        Watchdog.Stop(_watchdog);
        _watchdog = Watchdog.ForPid(_process.Id, "Bgtask.Api");

        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            // Exited: the parameterless WaitForExit also waits for the output handlers to have read the streams to
            // their end (the timed one does not, and the last lines, such as the reason it exited, could be missing).
            if (_process.HasExited && _process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                // Bounded: a child that inherited the streams would hold them open.
                Task.Run(() => _process.WaitForExit()).Wait(TimeSpan.FromSeconds(5));
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode} at start:\n{Output}");
            }
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

    /// <summary>SIGKILL of the service alone, like a crash or an OOM kill: its worker processes carry on.</summary>
    public void Kill()
    {
        Processes.Kill(_process);
        Watchdog.Stop(_watchdog);
        _watchdog = null;
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

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line)
    {
        if (line is not { Length: > 0 }) return;
        _onOutput?.Invoke(line);
        lock (_output)
        {
            if (_output.Length < 200_000) _output.AppendLine(line);
        }
    }
}
