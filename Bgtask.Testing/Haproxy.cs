using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Bgtask.Testing;

/// <summary>
/// haproxy in front of service replicas, as a real process on a free loopback port (<c>haproxy -f cfg -db</c>): round
/// robin, health-checked with <c>GET /health/ready</c>, and an admin stats socket through which a test reads how many
/// requests each server got and takes a server out or puts it back. Dispose stops it by its pid.
/// </summary>
public sealed class Haproxy : IDisposable
{
    private const string Backend = "bgtask";

    private readonly string _folder;
    private readonly StringBuilder _output = new();
    private Process? _process;
    private Process? _watchdog;

    private Haproxy(string folder, int port, string bindAddress)
    {
        _folder = folder;
        Port = port;
        Address = new Uri($"http://{bindAddress}:{port}/");
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public int Port { get; }

    /// <summary>Where clients and workers reach the replicas, e.g. <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Address { get; }

    /// <summary>A client of the balancer (keep-alive connections, as most clients have).</summary>
    public HttpClient Client { get; }

    public string ConfigFile => Path.Combine(_folder, "haproxy.cfg");

    public string StatsSocket => Path.Combine(_folder, "stats.sock");

    /// <summary>What haproxy printed (its warnings, servers going down and up), for a failure message.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static string Program => Commands.Find("haproxy",
        "haproxy was not found: the cluster tests put it in front of the replicas (apt-get install -y haproxy; " +
        "scripts/test.sh does it).");

    /// <summary>
    /// Writes the configuration, checks it (<c>haproxy -c</c>), starts haproxy and waits until every server is up.
    /// </summary>
    /// <param name="servers">Server names (n1, n2, ...) and the replicas' addresses.</param>
    /// <param name="port">0: a free one; else this one (the replicas' <c>Worker:ApiUrl</c> names it before it starts).</param>
    public static async Task<Haproxy> StartAsync(IEnumerable<KeyValuePair<string, Uri>> servers,
        HaproxyBalancing balancing = HaproxyBalancing.PerRequest, string bindAddress = "127.0.0.1", int port = 0)
    {
        var folder = Path.Combine(Path.GetTempPath().Length <= 60 ? Path.GetTempPath() : "/tmp",
            $"bgtask-haproxy-{Guid.NewGuid():N}"[..23]);
        Directory.CreateDirectory(folder);
        var haproxy = new Haproxy(folder, port == 0 ? Loopback.FreePort(bindAddress) : port, bindAddress);
        var list = servers.ToList();
        try
        {
            await File.WriteAllTextAsync(haproxy.ConfigFile, Config(bindAddress, haproxy.Port, list, balancing, haproxy.StatsSocket));
            Check(haproxy.ConfigFile);
            haproxy.Launch();
            await haproxy.WaitUntilUpAsync(list.Select(server => server.Key));
            return haproxy;
        }
        catch
        {
            haproxy.Dispose();
            throw;
        }
    }

    /// <summary><c>haproxy -c -f</c>: throws with haproxy's complaint when the file is not a valid configuration.</summary>
    public static string Check(string configFile) => Commands.Run(Program, "-c", "-f", configFile);

    /// <summary>The configuration <see cref="StartAsync"/> writes.</summary>
    public static string Config(string bindAddress, int port, IReadOnlyList<KeyValuePair<string, Uri>> servers,
        HaproxyBalancing balancing, string statsSocket)
    {
        var mode = balancing == HaproxyBalancing.PerRequest ? "http" : "tcp";
        var text = new StringBuilder($"""
            global
                maxconn 4096
                # One thread: the machine's cores are for the replicas.
                nbthread 1
                stats socket {statsSocket} mode 600 level admin

            defaults
                mode {mode}
                timeout connect 5s
                # Held reads (wait=60) and event streams stay open a long time.
                timeout client 10m
                timeout server 10m
                timeout tunnel 1h
                retries 3
                # A request whose server cannot be reached goes to another one.
                option redispatch 1

            frontend bgtask_in
                bind {bindAddress}:{port}
                default_backend {Backend}

            backend {Backend}
                balance roundrobin

            """);
        if (balancing == HaproxyBalancing.PerRequest)
            // HTTP mode balances each request, even the requests of one keep-alive client connection (no
            // prefer-last-server): one task's calls really land on different replicas.
            text.AppendLine("    option forwardfor");
        else
            text.AppendLine("    # TCP mode: a connection goes to one replica, with every request on it.");
        text.AppendLine("""
                option httpchk GET /health/ready
                http-check expect status 200
                # Patient with a slow answer (a loaded machine), quick to see a replica that is gone (refused).
                timeout check 5s
                default-server inter 1s fall 3 rise 1
            """);
        foreach (var (name, address) in servers)
            text.AppendLine($"    server {name} {address.Host}:{address.Port} check");
        return text.ToString();
    }

    /// <summary>
    /// How many requests each server got so far (HTTP mode; in TCP mode, connections): <c>show stat</c>'s cumulative
    /// sessions of each server, which in HTTP mode is one per request.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> RequestCountsAsync() =>
        (await ServerStatsAsync()).ToDictionary(server => server.Key, server => long.Parse(server.Value["stot"]));

    /// <summary>Each server's state as haproxy's checks see it: UP, DOWN, MAINT ...</summary>
    public async Task<IReadOnlyDictionary<string, string>> ServerStatusAsync() =>
        (await ServerStatsAsync()).ToDictionary(server => server.Key, server => server.Value["status"]);

    /// <summary>Takes a server out of the rotation (maintenance) or puts it back.</summary>
    public async Task SetEnabledAsync(string server, bool enabled) =>
        await CommandAsync($"{(enabled ? "enable" : "disable")} server {Backend}/{server}");

    /// <summary>Waits (polling, with a deadline) until haproxy's checks see every named server UP.</summary>
    public async Task WaitUntilUpAsync(IEnumerable<string> servers, TimeSpan? timeout = null)
    {
        var names = servers.ToList();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        IReadOnlyDictionary<string, string>? seen = null;
        while (true)
        {
            if (_process is { HasExited: true })
                throw new InvalidOperationException($"haproxy exited with code {_process.ExitCode}:\n{Output}");
            try
            {
                seen = await ServerStatusAsync();
                if (names.All(name => seen.TryGetValue(name, out var status) && status.StartsWith("UP", StringComparison.Ordinal)))
                    return;
            }
            catch (SocketException)
            {
                // The stats socket is not there yet.
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException(
                    $"haproxy did not see {string.Join(", ", names)} up: {string.Join(", ", seen ?? new Dictionary<string, string>())}\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>One command on the admin socket (<c>show stat</c>, <c>disable server b/s</c> ...) and its answer.</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(StatsSocket));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"));
        // Without "prompt" mode haproxy answers one command and closes the connection.
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }

    public void Dispose()
    {
        Processes.Kill(_process);
        _process?.Dispose();
        Watchdog.Stop(_watchdog);
        Client.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void Launch()
    {
        _process = Process.Start(new ProcessStartInfo(Program, ["-f", ConfigFile, "-db"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _watchdog = Watchdog.ForPid(_process.Id, _folder);
    }

    /// <summary>
    /// <c>show stat</c>: a row per proxy object (the frontend <c>bgtask_in</c> with <c>svname</c> FRONTEND, the backend
    /// <c>bgtask</c>'s servers and its BACKEND row), each by column name (<c>stot</c>, <c>status</c>, ...).
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> StatAsync()
    {
        var lines = (await CommandAsync("show stat")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines.First(line => line.StartsWith("# ", StringComparison.Ordinal))[2..].Split(',');
        return lines.Where(line => !line.StartsWith('#'))
            .Select(line => (IReadOnlyDictionary<string, string>)header.Zip(line.Split(','))
                .ToDictionary(pair => pair.First, pair => pair.Second))
            .ToList();
    }

    /// <summary>How many client connections the balancer has accepted so far (the frontend's cumulative sessions).</summary>
    public async Task<long> ClientConnectionsAsync() =>
        long.Parse((await StatAsync()).Single(row => row["svname"] == "FRONTEND")["stot"]);

    /// <summary>The backend's servers' rows of <see cref="StatAsync"/>, by server name.</summary>
    private async Task<Dictionary<string, IReadOnlyDictionary<string, string>>> ServerStatsAsync() =>
        (await StatAsync()).Where(row => row["pxname"] == Backend && row["svname"] is not ("BACKEND" or "FRONTEND"))
            .ToDictionary(row => row["svname"]);

    private void Keep(string? line)
    {
        if (line is not { Length: > 0 }) return;
        lock (_output)
        {
            if (_output.Length < 100_000) _output.AppendLine(line);
        }
    }
}

/// <summary>How haproxy spreads the clients' requests over the replicas.</summary>
public enum HaproxyBalancing
{
    /// <summary>HTTP mode: each request to the next replica, even on one keep-alive connection.</summary>
    PerRequest,

    /// <summary>TCP mode: each connection to the next replica, with all its requests.</summary>
    PerConnection,
}
