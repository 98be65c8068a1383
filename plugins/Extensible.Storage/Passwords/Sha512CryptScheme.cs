using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Extensible.Storage.Passwords;

/// <summary><c>{SHA512-CRYPT}</c>: glibc's <c>$6$[rounds=N$]salt$hash</c> (Drepper's SHA-crypt), which no package provides.</summary>
internal sealed class Sha512CryptScheme : IPasswordScheme
{
    private const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int DefaultRounds = 5000;

    private static readonly int[] Order =
    [
        0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10,
        53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41,
    ];

    /// <inheritdoc />
    public string Name => "SHA512-CRYPT";

    /// <inheritdoc />
    public bool Verify(string encoded, string password)
    {
        var computed = Crypt(password, encoded);
        return computed is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(encoded));
    }

    /// <summary>Computes the full <c>$6$</c> string for a password and the settings of <paramref name="setting"/>, or null when malformed.</summary>
    public static string? Crypt(string password, string setting)
    {
        if (!setting.StartsWith("$6$", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = setting[3..];
        var rounds = DefaultRounds;
        var roundsGiven = false;
        if (rest.StartsWith("rounds=", StringComparison.Ordinal))
        {
            var end = rest.IndexOf('$', StringComparison.Ordinal);
            if (end < 0 || !long.TryParse(rest.AsSpan(7, end - 7), NumberStyles.None, CultureInfo.InvariantCulture, out var requested))
            {
                return null;
            }

            rounds = (int)Math.Clamp(requested, 1000, 999_999_999);
            roundsGiven = true;
            rest = rest[(end + 1)..];
        }

        var saltEnd = rest.IndexOf('$', StringComparison.Ordinal);
        var saltText = saltEnd < 0 ? rest : rest[..saltEnd];
        if (saltText.Length > 16)
        {
            saltText = saltText[..16];
        }

        var key = Encoding.UTF8.GetBytes(password);
        var salt = Encoding.UTF8.GetBytes(saltText);
        var hash = Compute(key, salt, rounds);
        var builder = new StringBuilder("$6$");
        if (roundsGiven)
        {
            builder.Append(CultureInfo.InvariantCulture, $"rounds={rounds}$");
        }

        builder.Append(saltText).Append('$');
        for (var i = 0; i < Order.Length; i += 3)
        {
            Append(builder, (hash[Order[i]] << 16) | (hash[Order[i + 1]] << 8) | hash[Order[i + 2]], 4);
        }

        Append(builder, hash[63], 2);
        return builder.ToString();
    }

    private static byte[] Compute(byte[] key, byte[] salt, int rounds)
    {
        var b = SHA512.HashData([.. key, .. salt, .. key]);
        using var a = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        a.AppendData(key);
        a.AppendData(salt);
        int remaining;
        for (remaining = key.Length; remaining > 64; remaining -= 64)
        {
            a.AppendData(b);
        }

        a.AppendData(b, 0, remaining);
        for (var bits = key.Length; bits > 0; bits >>= 1)
        {
            a.AppendData((bits & 1) != 0 ? b : key);
        }

        var digest = a.GetHashAndReset();

        using var dp = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        for (var i = 0; i < key.Length; i++)
        {
            dp.AppendData(key);
        }

        var p = Repeat(dp.GetHashAndReset(), key.Length);

        using var ds = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        for (var i = 0; i < 16 + digest[0]; i++)
        {
            ds.AppendData(salt);
        }

        var s = Repeat(ds.GetHashAndReset(), salt.Length);

        for (var round = 0; round < rounds; round++)
        {
            a.AppendData((round & 1) != 0 ? p : digest);
            if (round % 3 != 0)
            {
                a.AppendData(s);
            }

            if (round % 7 != 0)
            {
                a.AppendData(p);
            }

            a.AppendData((round & 1) != 0 ? digest : p);
            digest = a.GetHashAndReset();
        }

        return digest;
    }

    private static byte[] Repeat(byte[] block, int length)
    {
        var result = new byte[length];
        for (var i = 0; i < length; i++)
        {
            result[i] = block[i % block.Length];
        }

        return result;
    }

    private static void Append(StringBuilder builder, int value, int count)
    {
        for (var i = 0; i < count; i++)
        {
            builder.Append(Alphabet[value & 0x3f]);
            value >>= 6;
        }
    }
}
