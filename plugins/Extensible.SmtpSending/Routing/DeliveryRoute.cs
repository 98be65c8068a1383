using Extensible.Sdk.Messages;

namespace Extensible.SmtpSending.Routing;

/// <summary>Where a domain's mail goes, or why it cannot go anywhere.</summary>
internal sealed record DeliveryRoute
{
    /// <summary>The connection pool key: connections are shared and limited per key.</summary>
    public required string Key { get; init; }

    /// <summary>Hosts to try, most preferred first; empty when <see cref="Failure"/> is set.</summary>
    public IReadOnlyList<DeliveryTarget> Targets { get; init; } = [];

    /// <summary>Temporary or permanent failure for every recipient, or null when there are targets.</summary>
    public RemoteDeliveryStatus? Failure { get; init; }

    /// <summary>Why routing failed, for the DSN.</summary>
    public string Diagnostic { get; init; } = "";

    /// <summary>RFC 3463 code of the failure.</summary>
    public string EnhancedCode { get; init; } = "";

    /// <summary>A route that fails every recipient.</summary>
    public static DeliveryRoute Fail(string key, RemoteDeliveryStatus status, string enhancedCode, string diagnostic) =>
        new() { Key = key, Failure = status, EnhancedCode = enhancedCode, Diagnostic = diagnostic };
}
