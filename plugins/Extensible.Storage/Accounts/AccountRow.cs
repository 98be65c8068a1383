using Extensible.Sdk.Users;
using Microsoft.Data.Sqlite;

namespace Extensible.Storage.Accounts;

/// <summary>An account row with what authentication needs besides the <see cref="MailUser"/>.</summary>
/// <param name="User">The account.</param>
/// <param name="PasswordHash">The stored hash, or null when no password is set.</param>
/// <param name="UsedBytes">Bytes stored.</param>
/// <param name="UsedMessages">Messages stored.</param>
internal sealed record AccountRow(MailUser User, string? PasswordHash, long UsedBytes, long UsedMessages)
{
    /// <summary>The column list <see cref="Read"/> expects, for <c>accounts a</c>.</summary>
    public const string Columns = "a.id, a.address, a.display_name, a.quota_bytes, a.quota_messages, a.enabled, a.password_hash, a.used_bytes, a.used_messages";

    /// <summary>Reads a row selected with <see cref="Columns"/> and loads its aliases.</summary>
    public static AccountRow Read(SqliteDataReader reader, SqliteConnection connection)
    {
        var id = reader.GetString(0);
        var aliases = Engine.Db.Query(connection, "SELECT address FROM aliases WHERE account_id = @a ORDER BY address", r => r.GetString(0), ("@a", id));
        var user = new MailUser(id, reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), aliases,
            new StorageQuota(reader.GetInt64(3), reader.GetInt64(4)), reader.GetInt64(5) != 0);
        return new AccountRow(user, reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt64(7), reader.GetInt64(8));
    }
}
