using System.Security.Cryptography;
using System.Text;

namespace Extensible.Storage.Passwords;

/// <summary><c>{PLAIN}</c>: the password itself; accepted only when the options allow it.</summary>
internal sealed class PlainScheme : IPasswordScheme
{
    /// <inheritdoc />
    public string Name => "PLAIN";

    /// <inheritdoc />
    public bool Verify(string encoded, string password) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(encoded), Encoding.UTF8.GetBytes(password));
}
