namespace Extensible.Storage.Passwords;

/// <summary>One stored-password scheme, named by its Dovecot prefix (for example <c>SSHA512</c>).</summary>
internal interface IPasswordScheme
{
    /// <summary>The scheme name inside the braces, upper case.</summary>
    string Name { get; }

    /// <summary>True when <paramref name="password"/> matches <paramref name="encoded"/> (the text after the prefix); compares in constant time.</summary>
    bool Verify(string encoded, string password);
}
