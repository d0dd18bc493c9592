using MySqlConnector;

namespace Bgtask.Testing;

/// <summary>
/// A MariaDB Galera cluster on one machine for the tests and the bench: one <see cref="MariaDbServer"/> per node, each
/// on a loopback address of its own (127.0.0.11, .12, .13 by default) and the same SQL port, since a MySqlConnector
/// host list shares one port. The first node bootstraps the cluster and creates the user; the others join one at a
/// time, each copying the first one's data (mariadb-backup over socat), and a start waits until every node is Synced.
/// Nodes are numbered from 1. Dispose stops every <c>mariadbd</c> by its pid.
/// </summary>
public sealed class GaleraCluster : IDisposable
{
    public const string Provider = "/usr/lib/galera/libgalera_smm.so";

    private readonly MariaDbServer?[] _nodes;
    private readonly string _password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
    private bool _disposed;

    private GaleraCluster(IReadOnlyList<string> addresses, GaleraPorts ports)
    {
        Addresses = addresses;
        Ports = ports;
        _nodes = new MariaDbServer?[addresses.Count];
    }

    /// <summary>The nodes' loopback addresses; node <c>n</c> is <c>Addresses[n - 1]</c>.</summary>
    public IReadOnlyList<string> Addresses { get; }

    public GaleraPorts Ports { get; }

    /// <summary>The SQL port, the same on every node's address.</summary>
    public int Port => Ports.Sql;

    /// <summary>For <c>Storage:MySql:ServerVersion</c>, e.g. <c>10.11.6-mariadb</c>.</summary>
    public string ServerVersion => Node(1).ServerVersion;

    /// <summary>How many nodes the cluster counts now (<c>wsrep_cluster_size</c>, as the first running node sees it).</summary>
    public int ClusterSize =>
        _nodes.Where(node => node?.OsPid is not null).Select(node => node!.Status("wsrep_cluster_size"))
            .Select(size => int.TryParse(size, out var value) ? value : 0).FirstOrDefault();

    /// <summary>Starts the cluster: three nodes on 127.0.0.11-13 unless <paramref name="addresses"/> says otherwise.</summary>
    public static async Task<GaleraCluster> StartAsync(IReadOnlyList<string>? addresses = null)
    {
        addresses ??= ["127.0.0.11", "127.0.0.12", "127.0.0.13"];
        const string install = "a Galera cluster needs the mariadb-server, galera-4, mariadb-backup and socat " +
                               "packages (apt-get install -y mariadb-server galera-4 mariadb-backup socat; scripts/test.sh does it).";
        if (!File.Exists(Provider)) throw new InvalidOperationException($"{Provider} is missing: {install}");
        foreach (var program in new[] { "mariadbd", "mariadb-backup", "socat" })
            Commands.Find(program, $"{program} was not found: {install}");
        var cluster = new GaleraCluster(addresses, GaleraPorts.FreeOn(addresses));
        try
        {
            // One at a time: a node joins by copying a Synced node's state, and two joiners at once would both want it.
            for (var node = 1; node <= addresses.Count; node++)
            {
                var options = cluster.OptionsFor(node);
                cluster._nodes[node - 1] = await Task.Run(() => MariaDbServer.Start(options));
            }
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>The node's server (1-based), for its pid, its status variables or its own <c>Kill</c>.</summary>
    public MariaDbServer Node(int node) =>
        _nodes[node - 1] ?? throw new InvalidOperationException($"Galera node {node} was never started.");

    /// <summary>A new database (through the first live node; Galera replicates it to the others).</summary>
    public string CreateDatabase()
    {
        var name = $"bgtask_t{Guid.NewGuid():N}"[..24];
        Execute($"CREATE DATABASE `{name}`");
        return name;
    }

    public void DropDatabase(string name) => Execute($"DROP DATABASE IF EXISTS `{name}`");

    /// <summary>
    /// Every node, in order, with <c>LoadBalance=FailOver</c>: all connections go to the first node that answers, so
    /// while it lives every replica writes through one Galera node, and concurrent writes to a row are ordered by its
    /// locks instead of failing certification (a deadlock error at commit) between nodes; when it dies, the next.
    /// </summary>
    public string ConnectionStringFor(string database) =>
        Builder(string.Join(',', Addresses), database, MySqlLoadBalance.FailOver).ConnectionString;

    /// <summary>
    /// Every node, <paramref name="firstNode"/> (1-based) first, with FailOver: a replica that writes through a Galera
    /// node of its own while it lives, as when each service node runs beside its database node.
    /// </summary>
    public string ConnectionStringFor(string database, int firstNode) =>
        Builder(string.Join(',', Addresses.Skip(firstNode - 1).Concat(Addresses.Take(firstNode - 1))), database,
            MySqlLoadBalance.FailOver).ConnectionString;

    /// <summary>One node only (1-based), e.g. to read what another node wrote.</summary>
    public string ConnectionStringForNode(int node, string database) =>
        Builder(Addresses[node - 1], database, MySqlLoadBalance.RoundRobin).ConnectionString;

    /// <summary>SIGKILL of one node (1-based), like a crash; the others go on as a smaller cluster.</summary>
    public void Kill(int node)
    {
        MySqlConnection.ClearAllPools();
        Node(node).Kill();
    }

    /// <summary>Starts a killed node (1-based) again: it rejoins the others and this waits until it is Synced.</summary>
    public Task RestartAsync(int node) => Task.Run(() => Node(node).Restart());

    /// <summary>Restarts every killed node, one at a time: for a test to leave the cluster whole for the next one.</summary>
    public async Task RestartKilledAsync()
    {
        for (var node = 1; node <= _nodes.Length; node++)
            if (Node(node).OsPid is null) await RestartAsync(node);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        MySqlConnection.ClearAllPools();
        foreach (var node in _nodes) node?.Dispose();
    }

    private MariaDbOptions OptionsFor(int node)
    {
        var address = Addresses[node - 1];
        var members = string.Join(',', Addresses.Select(member => $"{member}:{Ports.Group}"));
        return MariaDbOptions.Fast with
        {
            BindAddress = address,
            Port = Ports.Sql,
            BufferPoolSize = "64M",
            Password = _password,
            // A joiner gets the user with the first node's data.
            CreateUser = node == 1,
            ReadyStatus = ("wsrep_local_state_comment", "Synced"),
            // A state transfer on a busy machine takes a while.
            StartTimeout = TimeSpan.FromMinutes(3),
            ExtraArguments =
            [
                // Galera's requirements: row-based replication, interleaved auto-increment locking.
                "--binlog-format=ROW", "--innodb-autoinc-lock-mode=2",
                "--wsrep-on=ON", $"--wsrep-provider={Provider}", "--wsrep-cluster-name=bgtask-test",
                $"--wsrep-node-name=g{node}", $"--wsrep-node-address={address}",
                $"--wsrep-node-incoming-address={address}:{Ports.Sql}",
                // Every node in the address: a restarted node (the first one too) joins whoever is up.
                $"--wsrep-cluster-address=gcomm://{members}",
                $"--wsrep-provider-options=gmcast.listen_addr=tcp://{address}:{Ports.Group};ist.recv_addr={address}:{Ports.Ist};gcache.size=64M",
                $"--wsrep-sst-receive-address={address}:{Ports.Sst}", "--wsrep-sst-method=mariabackup",
            ],
            // The first node creates the cluster on its first start only; started again, it joins the others.
            FirstStartArguments = node == 1 ? ["--wsrep-new-cluster"] : [],
        };
    }

    private MySqlConnectionStringBuilder Builder(string servers, string database, MySqlLoadBalance loadBalance) => new()
    {
        Server = servers,
        Port = (uint)Ports.Sql,
        UserID = MariaDbServer.User,
        Password = _password,
        Database = database,
        LoadBalance = loadBalance,
        MaximumPoolSize = 200,
    };

    private void Execute(string sql)
    {
        using var connection = new MySqlConnection(ConnectionStringFor(""));
        connection.Open();
        using var command = new MySqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
