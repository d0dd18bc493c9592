namespace Bgtask.Testing;

/// <summary>
/// Bgtask as a cluster of real processes: N service replicas (<see cref="ServiceProcess"/>, on 127.0.0.1 ports of
/// their own) over one database of a <see cref="GaleraCluster"/>, behind <see cref="Haproxy"/>, which the workers use
/// as <c>Worker:ApiUrl</c>. Replicas are numbered from 1 and named n1, n2 ... (<c>Cluster:NodeName</c>). Dispose
/// stops haproxy, the replicas and every worker left, by pid, and drops the database; the Galera cluster stays.
/// </summary>
public sealed class BgtaskCluster : IDisposable, IAsyncDisposable
{
    private readonly ServiceProcess[] _replicas;
    private bool _disposed;

    private BgtaskCluster(GaleraCluster galera, string database, string secret, Uri balancerAddress, ServiceProcess[] replicas)
    {
        Galera = galera;
        Database = database;
        Secret = secret;
        BalancerAddress = balancerAddress;
        _replicas = replicas;
    }

    public GaleraCluster Galera { get; }

    /// <summary>The replicas' database on <see cref="Galera"/>.</summary>
    public string Database { get; }

    /// <summary>Every replica's <c>Cluster:Secret</c>.</summary>
    public string Secret { get; }

    /// <summary>haproxy's address: the replicas' <c>Worker:ApiUrl</c>.</summary>
    public Uri BalancerAddress { get; }

    public Haproxy Haproxy { get; private set; } = null!;

    /// <summary>A client of the balancer: each request to the next replica (per request), or per connection.</summary>
    public HttpClient Balancer => Haproxy.Client;

    public int Count => _replicas.Length;

    /// <summary>Galera's connection string for the replicas' database (all nodes, FailOver), e.g. to read it directly.</summary>
    public string ConnectionString => Galera.ConnectionStringFor(Database);

    /// <summary>Replica <paramref name="node"/> (from 1): its process, port, output.</summary>
    public ServiceProcess Replica(int node) => _replicas[node - 1];

    /// <summary>A client of replica <paramref name="node"/> alone (from 1).</summary>
    public HttpClient Node(int node) => Replica(node).Client;

    /// <summary>The replica's <c>Cluster:NodeName</c>: n1, n2 ...</summary>
    public static string NodeName(int node) => $"n{node}";

    /// <summary>Starts the replicas (the first alone, since it migrates the new database), then haproxy in front.</summary>
    public static async Task<BgtaskCluster> StartAsync(GaleraCluster galera, BgtaskClusterOptions? options = null)
    {
        options ??= new BgtaskClusterOptions();
        var database = galera.CreateDatabase();
        var secret = options.Secret ?? Convert.ToHexString(Guid.NewGuid().ToByteArray());
        var balancer = new Uri($"http://127.0.0.1:{Loopback.FreePort()}/");
        var replicas = Enumerable.Range(1, options.Replicas)
            .Select(node => NewReplica(node, galera, database, secret, balancer, options))
            .ToArray();
        var cluster = new BgtaskCluster(galera, database, secret, balancer, replicas);
        try
        {
            await replicas[0].StartAsync();
            await Task.WhenAll(replicas.Skip(1).Select(replica => replica.StartAsync()));
            cluster.Haproxy = await Haproxy.StartAsync(
                replicas.Select((replica, i) => KeyValuePair.Create(NodeName(i + 1), replica.Address)),
                options.Balancing, balancer.Host, balancer.Port);
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL of replica <paramref name="node"/> alone, like a crash: its worker processes carry on.</summary>
    public void Kill(int node) => Replica(node).Kill();

    /// <summary>Starts replica <paramref name="node"/> again on its port and waits until haproxy sees it up.</summary>
    public async Task StartAsync(int node)
    {
        await Replica(node).StartAsync();
        await Haproxy.WaitUntilUpAsync([NodeName(node)]);
    }

    /// <summary>What every replica printed, each under its name, for a failure message.</summary>
    public string Output =>
        string.Join('\n', _replicas.Select((replica, i) => $"--- {NodeName(i + 1)}:\n{replica.Output}")) +
        (Haproxy is null ? "" : $"\n--- haproxy:\n{Haproxy.Output}");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Haproxy?.Dispose();
        foreach (var replica in _replicas) replica.Dispose();
        // The workers were given the balancer's address, not a replica's.
        WorkerProcesses.KillAllOf(BalancerAddress);
        try
        {
            Galera.DropDatabase(Database);
        }
        catch (MySqlConnector.MySqlException)
        {
            // The cluster is going too (the end of the run).
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A service node's settings over a MySQL-compatible database (InnoDB: Galera replicates nothing else), in cluster
    /// mode when <paramref name="secret"/> is given: its name and its URL on 127.0.0.1:<paramref name="port"/>.
    /// </summary>
    public static Dictionary<string, string> NodeSettings(string? name, int port, string? secret, string serverVersion)
    {
        var settings = new Dictionary<string, string>
        {
            ["Storage:Provider"] = "MySql",
            ["Storage:MySql:Engine"] = "InnoDB",
            ["Storage:MySql:ServerVersion"] = serverVersion,
        };
        if (secret is null || name is null) return settings;
        settings["Cluster:Secret"] = secret;
        settings["Cluster:NodeName"] = name;
        settings["Cluster:NodeUrl"] = $"http://127.0.0.1:{port}/";
        return settings;
    }

    private static ServiceProcess NewReplica(int node, GaleraCluster galera, string database, string secret, Uri balancer,
        BgtaskClusterOptions options)
    {
        var port = Loopback.FreePort();
        var settings = options.ClusterMode
            ? NodeSettings(NodeName(node), port, secret, galera.ServerVersion)
            : NodeSettings(null, port, null, galera.ServerVersion);
        settings["Worker:ApiUrl"] = balancer.AbsoluteUri;
        // Long enough for a worker to outlast a replica's absence.
        settings["Worker:RetryWindow"] = "00:00:30";
        foreach (var (key, value) in options.Settings.Concat(options.ReplicaSettings?.Invoke(node) ?? []))
            settings[key] = value;
        // All Galera nodes, FailOver: see GaleraCluster.ConnectionStringFor.
        var connection = options.OwnDatabaseNode
            ? galera.ConnectionStringFor(database, (node - 1) % galera.Addresses.Count + 1)
            : galera.ConnectionStringFor(database);
        return new ServiceProcess(settings, connection, folder: options.ServiceFolder, port: port);
    }
}
