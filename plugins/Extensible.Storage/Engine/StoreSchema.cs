namespace Extensible.Storage.Engine;

/// <summary>The SQLite schema of the embedded store; applied idempotently on open.</summary>
internal static class StoreSchema
{
    /// <summary>The schema version this code writes.</summary>
    public const int Version = 1;

    /// <summary>Statements creating every table and index that is missing.</summary>
    public const string Create = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS domains (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            catchall TEXT NULL);
        CREATE TABLE IF NOT EXISTS domain_aliases (
            alias TEXT PRIMARY KEY,
            domain_id INTEGER NOT NULL REFERENCES domains(id) ON DELETE CASCADE);
        CREATE TABLE IF NOT EXISTS accounts (
            id TEXT PRIMARY KEY,
            address TEXT NOT NULL UNIQUE,
            domain_id INTEGER NOT NULL REFERENCES domains(id),
            display_name TEXT NULL,
            password_hash TEXT NULL,
            scram_salt BLOB NULL, scram_iterations INTEGER NULL, scram_stored BLOB NULL, scram_server BLOB NULL,
            enabled INTEGER NOT NULL DEFAULT 1,
            quota_bytes INTEGER NOT NULL DEFAULT 0,
            quota_messages INTEGER NOT NULL DEFAULT 0,
            used_bytes INTEGER NOT NULL DEFAULT 0,
            used_messages INTEGER NOT NULL DEFAULT 0,
            created INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS aliases (
            address TEXT PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE);
        CREATE TABLE IF NOT EXISTS forwarders (
            address TEXT NOT NULL,
            target TEXT NOT NULL,
            PRIMARY KEY (address, target));
        CREATE TABLE IF NOT EXISTS folders (
            id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            path_key TEXT NOT NULL,
            special_use INTEGER NOT NULL DEFAULT 0,
            uid_validity INTEGER NOT NULL,
            uid_next INTEGER NOT NULL DEFAULT 1,
            highest_modseq INTEGER NOT NULL DEFAULT 1,
            UNIQUE (account_id, path_key));
        CREATE TABLE IF NOT EXISTS subscriptions (
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            PRIMARY KEY (account_id, path));
        CREATE TABLE IF NOT EXISTS blobs (
            id INTEGER PRIMARY KEY,
            file TEXT NULL,
            content BLOB NULL,
            size INTEGER NOT NULL,
            refcount INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS messages (
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            uid INTEGER NOT NULL,
            blob_id INTEGER NOT NULL REFERENCES blobs(id),
            size INTEGER NOT NULL,
            flags INTEGER NOT NULL,
            keywords TEXT NOT NULL DEFAULT '',
            internal_date INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            PRIMARY KEY (folder_id, uid)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS messages_modseq ON messages(folder_id, modseq);
        CREATE INDEX IF NOT EXISTS messages_blob ON messages(blob_id);
        CREATE INDEX IF NOT EXISTS blobs_file ON blobs(file);
        CREATE INDEX IF NOT EXISTS aliases_account ON aliases(account_id);
        CREATE INDEX IF NOT EXISTS accounts_domain ON accounts(domain_id);
        CREATE TABLE IF NOT EXISTS expunged (
            folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
            uid INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            PRIMARY KEY (folder_id, uid)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS message_cache (
            blob_id INTEGER NOT NULL REFERENCES blobs(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (blob_id, key)) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', '1');
        INSERT OR IGNORE INTO meta(key, value) VALUES ('uidvalidity', CAST(strftime('%s','now') AS TEXT));
        """;
}
