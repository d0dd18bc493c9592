using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace Bgtask.Core.Storage;

public static class DbErrors
{
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        // SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE
        SqliteException s => s.SqliteExtendedErrorCode is 1555 or 2067,
        MySqlException m => m.ErrorCode == MySqlErrorCode.DuplicateKeyEntry,
        _ => false,
    };
}
