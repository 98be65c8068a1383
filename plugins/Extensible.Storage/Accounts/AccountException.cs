namespace Extensible.Storage.Accounts;

/// <summary>Why an account administration request failed.</summary>
public enum AccountError
{
    /// <summary>The name or address is not valid.</summary>
    Invalid,

    /// <summary>It exists already.</summary>
    Duplicate,

    /// <summary>It does not exist.</summary>
    NotFound,

    /// <summary>It cannot be done in the current state (for example removing a domain with accounts).</summary>
    Conflict,
}

/// <summary>An account administration failure with a message fit for the command line.</summary>
/// <param name="error">The kind of failure.</param>
/// <param name="message">What to tell the administrator.</param>
public sealed class AccountException(AccountError error, string message) : Exception(message)
{
    /// <summary>The kind of failure.</summary>
    public AccountError Error { get; } = error;
}
