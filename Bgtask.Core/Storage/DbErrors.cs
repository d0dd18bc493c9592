using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace Bgtask.Core.Storage;

public static class DbErrors
{
    public static bool IsUniqueViolation(DbUpdateException e) => IsUniqueViolation(e.InnerException);

    /// <summary>The provider's own exception (a plain command's), or EF's wrapping of it.</summary>
    public static bool IsUniqueViolation(Exception? e) => e switch
    {
        DbUpdateException u => IsUniqueViolation(u.InnerException),
        // SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE
        SqliteException s => s.SqliteExtendedErrorCode is 1555 or 2067,
        MySqlException m => m.ErrorCode == MySqlErrorCode.DuplicateKeyEntry,
        _ => false,
    };

    /// <summary>
    /// MySQL errors after which the statement did not take effect, so running it again is safe: besides what
    /// MySqlConnector calls transient (deadlock or Galera certification failure 1213, lock wait timeout 1205, too
    /// many connections, cannot connect), "WSREP has not yet prepared node for application use" (1047: a Galera
    /// node joining or cut off from the cluster's majority; another node, or this one a moment later, takes it).
    /// </summary>
    public static bool IsNotApplied(MySqlException e) => e.IsTransient || e.Number == WsrepNotReady;

    public const int WsrepNotReady = 1047;

    /// <summary>
    /// The connection went away mid-statement: CR_SERVER_GONE_ERROR (2006), CR_SERVER_LOST (2013), MariaDB's
    /// "Connection was killed" (1927), server shutdown (1053), MySQL 8's inactivity disconnect (4031), or what
    /// MySqlConnector throws when the socket closes under it (no server error number, an I/O exception inside).
    /// Whether the statement took effect is unknown: the server may have committed it just before.
    /// </summary>
    public static bool IsLostConnection(Exception e)
    {
        if (e is not MySqlException m) return false;
        if (m.Number is 2006 or 2013 or 1927 or 1053 or 4031) return true;
        for (var inner = m.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is IOException or System.Net.Sockets.SocketException) return true;
        return false;
    }
}
