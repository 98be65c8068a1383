namespace Extensible.Sdk.Security;

/// <summary>The server side of one SASL exchange (RFC 4422); protocols frame the base64 and the cancel themselves.</summary>
public abstract class SaslMechanism
{
    /// <summary>The IANA mechanism name, for example <c>PLAIN</c>.</summary>
    public abstract string Name { get; }

    /// <summary>True when the mechanism sends the password in the clear, so it is offered only over TLS unless configured.</summary>
    public abstract bool IsPlainText { get; }

    /// <summary>Takes the client's decoded response (the initial response first, possibly empty) and returns the next step.</summary>
    public abstract ValueTask<SaslStep> StepAsync(ReadOnlyMemory<byte> response, CancellationToken cancellationToken = default);
}
