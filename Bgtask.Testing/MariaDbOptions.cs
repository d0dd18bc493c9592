namespace Bgtask.Testing;

/// <summary>How a throwaway <c>mariadbd</c> is started. Null durability settings keep the server's own defaults.</summary>
public sealed record MariaDbOptions
{
    /// <summary>A loopback address: a cluster's nodes can each take one of their own (127.0.0.11, .12, ...).</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>0: a free port, chosen at the first start and kept for every restart.</summary>
    public int Port { get; init; }

    /// <summary><c>innodb_flush_log_at_trx_commit</c>: 1 (the default) flushes at every commit, 2 to the OS only, 0 about once a second.</summary>
    public int? FlushLogAtTrxCommit { get; init; }

    /// <summary><c>innodb_doublewrite</c>: off is faster and risks torn pages in a crash of the machine.</summary>
    public bool? Doublewrite { get; init; }

    public string BufferPoolSize { get; init; } = "128M";

    public int MaxConnections { get; init; } = 1000;

    /// <summary>The databases (a <c>GRANT</c> pattern) the server's user may create and use.</summary>
    public string GrantedDatabases { get; init; } = "bgtask%";

    /// <summary>More <c>mariadbd</c> settings, after ours (a later duplicate wins), in argument form: e.g.
    /// <c>--sync-binlog=1</c>. They go to the server's option file, with ours.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];

    /// <summary>More arguments for the first start only, not for a <see cref="MariaDbServer.Restart"/>: e.g.
    /// <c>--wsrep-new-cluster</c>, which bootstraps a Galera cluster that a restarted node must join instead.</summary>
    public IReadOnlyList<string> FirstStartArguments { get; init; } = [];

    /// <summary>The password of the server's user; null: a new random one. The nodes of a cluster share theirs.</summary>
    public string? Password { get; init; }

    /// <summary>False for a server whose user comes from elsewhere: a Galera joiner copies it from its donor.</summary>
    public bool CreateUser { get; init; } = true;

    /// <summary>A status variable (<c>SHOW STATUS</c>) and the value it must show before a start or restart counts as
    /// done; null: answering a ping is enough. A Galera node: <c>("wsrep_local_state_comment", "Synced")</c>.</summary>
    public (string Variable, string Value)? ReadyStatus { get; init; }

    /// <summary>How long a start or restart may take, the state transfer of a Galera joiner included.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>For a server that lives for one run: speed over durability.</summary>
    public static MariaDbOptions Fast => new() { FlushLogAtTrxCommit = 0, Doublewrite = false };
}
