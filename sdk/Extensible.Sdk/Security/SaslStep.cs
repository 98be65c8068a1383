using Extensible.Sdk.Users;

namespace Extensible.Sdk.Security;

/// <summary>The next step of a SASL exchange.</summary>
public abstract record SaslStep
{
    /// <summary>Send this challenge (raw bytes; the protocol base64-encodes) and wait for a response.</summary>
    /// <param name="Data">The challenge.</param>
    public sealed record Challenge(byte[] Data) : SaslStep;

    /// <summary>Authenticated; <paramref name="AdditionalData"/> (SCRAM's server signature) goes with the success reply where the protocol allows.</summary>
    /// <param name="User">The account.</param>
    /// <param name="AdditionalData">Data to send with success, or null.</param>
    public sealed record Success(MailUser User, byte[]? AdditionalData = null) : SaslStep;

    /// <summary>The exchange failed; <paramref name="Reason"/> is for logs, never for the client.</summary>
    /// <param name="Reason">Why, for the log.</param>
    /// <param name="Login">The login name tried, for the log, or null.</param>
    /// <param name="Malformed">True when the client's data was malformed rather than the credentials wrong.</param>
    public sealed record Failure(string Reason, string? Login = null, bool Malformed = false) : SaslStep;
}
