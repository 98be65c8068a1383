using System.Security.Cryptography;
using Extensible.Sdk.Security;

namespace Extensible.Storage.Passwords;

/// <summary>Hashes new passwords with Argon2id and verifies the usual prefixed schemes, with a short verification cache.</summary>
internal sealed class PasswordService
{
    private readonly Argon2idScheme _argon2;
    private readonly Dictionary<string, IPasswordScheme> _schemes;
    private readonly StorageOptions _options;

    /// <summary>Creates the service; {PLAIN} is known only when the options allow it.</summary>
    public PasswordService(StorageOptions options)
    {
        _options = options;
        _argon2 = new Argon2idScheme(options);
        IPasswordScheme[] schemes = [_argon2, new BlowfishCryptScheme(), SaltedShaScheme.Sha1, SaltedShaScheme.Sha512, new Sha512CryptScheme()];
        _schemes = schemes.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);
        if (options.AllowPlainPasswords)
        {
            _schemes["PLAIN"] = new PlainScheme();
        }

        Cache = new VerificationCache(TimeSpan.FromSeconds(options.AuthCacheSeconds), options.AuthCacheSize);
    }

    /// <summary>The verification cache.</summary>
    public VerificationCache Cache { get; }

    /// <summary>A new <c>{ARGON2ID}</c> hash of a password.</summary>
    public string Hash(string password) => "{ARGON2ID}" + _argon2.Hash(password);

    /// <summary>SCRAM-SHA-256 keys for a password with a fresh salt.</summary>
    public (byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey) DeriveScram(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var iterations = Math.Max(4096, _options.ScramIterations);
        var (stored, server) = ScramSha256Mechanism.DeriveKeys(password, salt, iterations);
        return (salt, iterations, stored, server);
    }

    /// <summary>True when <paramref name="password"/> matches the stored value; unknown or disabled schemes never match.</summary>
    public bool Verify(string stored, string password)
    {
        string scheme, encoded;
        if (stored.StartsWith('{') && stored.IndexOf('}', StringComparison.Ordinal) is var close and > 1)
        {
            scheme = stored[1..close];
            encoded = stored[(close + 1)..];
        }
        else if (stored.StartsWith("$argon2id$", StringComparison.Ordinal))
        {
            (scheme, encoded) = ("ARGON2ID", stored);
        }
        else if (stored.StartsWith("$2", StringComparison.Ordinal))
        {
            (scheme, encoded) = ("BLF-CRYPT", stored);
        }
        else if (stored.StartsWith("$6$", StringComparison.Ordinal))
        {
            (scheme, encoded) = ("SHA512-CRYPT", stored);
        }
        else
        {
            return false;
        }

        return _schemes.TryGetValue(scheme, out var verifier) && verifier.Verify(encoded, password);
    }

    /// <summary>True when a stored value names a scheme this service can check.</summary>
    public bool IsKnownScheme(string stored)
    {
        if (!stored.StartsWith('{'))
        {
            return stored.StartsWith("$argon2id$", StringComparison.Ordinal) || stored.StartsWith("$2", StringComparison.Ordinal)
                || stored.StartsWith("$6$", StringComparison.Ordinal);
        }

        var close = stored.IndexOf('}', StringComparison.Ordinal);
        return close > 1 && _schemes.ContainsKey(stored[1..close]);
    }
}
