namespace Extensible.Sdk.Messages;

/// <summary>What a filter decided about a message; anything but <see cref="Accepted"/> stops the chain.</summary>
public abstract record FilterVerdict
{
    /// <summary>Continue: deliver or pass on to the next filter.</summary>
    public static FilterVerdict Accept { get; } = new Accepted();

    /// <summary>Refuse permanently with an SMTP reply, for example <c>Reject(554, "5.7.1", "Spam")</c>.</summary>
    public static FilterVerdict Reject(int code, string enhancedCode, string text) => new Rejected(code, enhancedCode, text);

    /// <summary>Refuse for now with an SMTP reply, for example <c>TempFail(451, "4.7.1", "Try later")</c>.</summary>
    public static FilterVerdict TempFail(int code, string enhancedCode, string text) => new TemporarilyFailed(code, enhancedCode, text);

    /// <summary>Keep the message out of mailboxes, held for an administrator.</summary>
    public static FilterVerdict Quarantine(string reason) => new Quarantined(reason);

    /// <summary>Accept the message for the sender, then drop it silently.</summary>
    public static FilterVerdict Discard(string reason) => new Discarded(reason);

    /// <summary>The message passes.</summary>
    public sealed record Accepted : FilterVerdict;

    /// <summary>The message is refused permanently.</summary>
    /// <param name="Code">SMTP reply code (5xx).</param>
    /// <param name="EnhancedCode">RFC 3463 status code.</param>
    /// <param name="Text">Reply text.</param>
    public sealed record Rejected(int Code, string EnhancedCode, string Text) : FilterVerdict;

    /// <summary>The message is refused for now.</summary>
    /// <param name="Code">SMTP reply code (4xx).</param>
    /// <param name="EnhancedCode">RFC 3463 status code.</param>
    /// <param name="Text">Reply text.</param>
    public sealed record TemporarilyFailed(int Code, string EnhancedCode, string Text) : FilterVerdict;

    /// <summary>The message is held for an administrator.</summary>
    /// <param name="Reason">Why.</param>
    public sealed record Quarantined(string Reason) : FilterVerdict;

    /// <summary>The message is dropped after acceptance.</summary>
    /// <param name="Reason">Why.</param>
    public sealed record Discarded(string Reason) : FilterVerdict;
}
