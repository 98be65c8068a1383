using Extensible.Sdk.Users;

namespace Extensible.Sdk.Security;

/// <summary>The SASL mechanisms every protocol plugin offers, created by name.</summary>
public static class SaslServer
{
    /// <summary>Mechanism names in the order they are advertised; plain-text ones only when <paramref name="allowPlainText"/>.</summary>
    public static IReadOnlyList<string> MechanismNames(bool allowPlainText) =>
        allowPlainText ? ["SCRAM-SHA-256", "PLAIN", "LOGIN"] : ["SCRAM-SHA-256"];

    /// <summary>A new exchange for the named mechanism (case-insensitive), or null when it is not supported.</summary>
    public static SaslMechanism? Create(string name, IUserDirectory users) => name.ToUpperInvariant() switch
    {
        "PLAIN" => new PlainMechanism(users),
        "LOGIN" => new LoginMechanism(users),
        "SCRAM-SHA-256" => new ScramSha256Mechanism(users),
        _ => null,
    };
}
