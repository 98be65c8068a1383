using System.Security.Cryptography;
using System.Text;

namespace Extensible.Storage.Passwords;

/// <summary><c>{SSHA}</c> and <c>{SSHA512}</c> (LDAP salted SHA): base64 of H(password + salt) followed by the salt.</summary>
internal sealed class SaltedShaScheme(string name, HashAlgorithmName algorithm) : IPasswordScheme
{
    /// <summary>{SSHA}: SHA-1.</summary>
    public static SaltedShaScheme Sha1 { get; } = new("SSHA", HashAlgorithmName.SHA1);

    /// <summary>{SSHA512}: SHA-512.</summary>
    public static SaltedShaScheme Sha512 { get; } = new("SSHA512", HashAlgorithmName.SHA512);

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public bool Verify(string encoded, string password)
    {
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(encoded.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        var digestLength = algorithm == HashAlgorithmName.SHA1 ? 20 : 64;
        if (decoded.Length <= digestLength)
        {
            return false;
        }

        var passwordBytes = Encoding.UTF8.GetBytes(password);
        var input = new byte[passwordBytes.Length + decoded.Length - digestLength];
        passwordBytes.CopyTo(input, 0);
        decoded.AsSpan(digestLength).CopyTo(input.AsSpan(passwordBytes.Length));
        var digest = algorithm == HashAlgorithmName.SHA1 ? SHA1.HashData(input) : SHA512.HashData(input);
        return CryptographicOperations.FixedTimeEquals(digest, decoded.AsSpan(0, digestLength));
    }

    /// <summary>Encodes a password with a random salt (for tests and imports).</summary>
    public string Encode(string password, byte[]? salt = null)
    {
        salt ??= RandomNumberGenerator.GetBytes(8);
        var input = Encoding.UTF8.GetBytes(password).Concat(salt).ToArray();
        var digest = algorithm == HashAlgorithmName.SHA1 ? SHA1.HashData(input) : SHA512.HashData(input);
        return Convert.ToBase64String(digest.Concat(salt).ToArray());
    }
}
