using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Bgtask.Api.Cluster;

/// <summary>Which statement makes a session's reads wait for writes that other database nodes already committed.</summary>
public enum CausalReads
{
    /// <summary>MariaDB Galera: <c>wsrep_sync_wait = 1</c> (reads wait for the cluster's writes before them).</summary>
    Galera,
    /// <summary>MySQL InnoDB Cluster (group replication): <c>group_replication_consistency = 'BEFORE'</c>.</summary>
    GroupReplication,
    /// <summary>Nothing: for a single database server behind the nodes, or a cluster that is already synchronous for reads.</summary>
    None,
}

/// <summary>
/// In cluster mode, every connection's session reads causally: a write that one Bgtask node had acknowledged (through
/// any database node) is seen by a read on any other. The database resets a pooled connection's session when it is
/// reused, so the setting goes with every open: one more round trip, measured by the bench's <c>cluster</c> scenario.
/// </summary>
public sealed class CausalReadInterceptor(CausalReads mode) : DbConnectionInterceptor
{
    private readonly string? _statement = mode switch
    {
        CausalReads.Galera => "SET SESSION wsrep_sync_wait = 1",
        CausalReads.GroupReplication => "SET SESSION group_replication_consistency = 'BEFORE'",
        _ => null,
    };

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (_statement is null) return;
        using var command = connection.CreateCommand();
        command.CommandText = _statement;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        if (_statement is null) return;
        await using var command = connection.CreateCommand();
        command.CommandText = _statement;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
