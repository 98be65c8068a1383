using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Extensible.Storage.Passwords;

/// <summary><c>{ARGON2ID}</c>: the PHC string <c>$argon2id$v=19$m=KiB,t=N,p=N$salt$hash</c>, as Dovecot writes it.</summary>
internal sealed class Argon2idScheme(StorageOptions options) : IPasswordScheme
{
    private const int MaxMemoryKib = 1024 * 1024;

    /// <inheritdoc />
    public string Name => "ARGON2ID";

    /// <summary>Hashes a password with the configured cost and a random 16-byte salt.</summary>
    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        int memory = Math.Max(8, options.Argon2MemoryKib), iterations = Math.Max(1, options.Argon2Iterations), parallelism = Math.Max(1, options.Argon2Parallelism);
        var hash = Derive(password, salt, memory, iterations, parallelism, 32);
        return FormattableString.Invariant($"$argon2id$v=19$m={memory},t={iterations},p={parallelism}${Encode(salt)}${Encode(hash)}");
    }

    /// <inheritdoc />
    public bool Verify(string encoded, string password)
    {
        var parts = encoded.Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != "v=19")
        {
            return false;
        }

        int memory = 0, iterations = 0, parallelism = 0;
        foreach (var setting in parts[3].Split(','))
        {
            if (setting.Length < 3 || setting[1] != '=' || !int.TryParse(setting.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            switch (setting[0])
            {
                case 'm': memory = value; break;
                case 't': iterations = value; break;
                case 'p': parallelism = value; break;
                default: return false;
            }
        }

        var salt = Decode(parts[4]);
        var expected = Decode(parts[5]);
        if (salt is null || expected is null || expected.Length < 4 || memory < 8 || memory > MaxMemoryKib || iterations < 1 || iterations > 64
            || parallelism < 1 || parallelism > 64)
        {
            return false;
        }

        var actual = Derive(password, salt, memory, iterations, parallelism, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static byte[] Derive(string password, byte[] salt, int memory, int iterations, int parallelism, int length)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt,
            MemorySize = memory,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return argon.GetBytes(length);
    }

    private static string Encode(byte[] data) => Convert.ToBase64String(data).TrimEnd('=');

    private static byte[]? Decode(string text)
    {
        var padded = text + new string('=', (4 - (text.Length % 4)) % 4);
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
