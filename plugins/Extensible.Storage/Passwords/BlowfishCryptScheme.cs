namespace Extensible.Storage.Passwords;

/// <summary><c>{BLF-CRYPT}</c>: bcrypt (<c>$2a$</c>, <c>$2b$</c>, <c>$2y$</c>) through BCrypt.Net-Next.</summary>
internal sealed class BlowfishCryptScheme : IPasswordScheme
{
    /// <inheritdoc />
    public string Name => "BLF-CRYPT";

    /// <inheritdoc />
    public bool Verify(string encoded, string password)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, encoded);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
