using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Extensible.Storage.Passwords;

/// <summary>Recent successful password checks, keyed by a keyed hash of account, stored hash and password, so repeated logins skip Argon2.</summary>
/// <remarks>The stored hash is part of the key, so a password change (in any process) makes old entries unreachable.</remarks>
internal sealed class VerificationCache(TimeSpan lifetime, int capacity)
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (string AccountId, long Expires)> _entries = new(StringComparer.Ordinal);

    /// <summary>True when this exact check succeeded within the lifetime.</summary>
    public bool Contains(string accountId, string storedHash, string password)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            return false;
        }

        var key = Key(accountId, storedHash, password);
        if (_entries.TryGetValue(key, out var entry))
        {
            if (entry.Expires > Environment.TickCount64)
            {
                return true;
            }

            _entries.TryRemove(key, out _);
        }

        return false;
    }

    /// <summary>Remembers a successful check.</summary>
    public void Add(string accountId, string storedHash, string password)
    {
        if (lifetime <= TimeSpan.Zero || capacity <= 0)
        {
            return;
        }

        if (_entries.Count >= capacity)
        {
            var now = Environment.TickCount64;
            foreach (var (key, entry) in _entries)
            {
                if (entry.Expires <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }
        }

        _entries[Key(accountId, storedHash, password)] = (accountId, Environment.TickCount64 + (long)lifetime.TotalMilliseconds);
    }

    /// <summary>Drops every entry of an account (password changed or account removed).</summary>
    public void Invalidate(string accountId)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.AccountId == accountId)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <summary>Entries held now.</summary>
    public int Count => _entries.Count;

    private string Key(string accountId, string storedHash, string password) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(accountId + "\0" + storedHash + "\0" + password)));
}
