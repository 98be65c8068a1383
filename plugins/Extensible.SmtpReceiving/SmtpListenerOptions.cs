namespace Extensible.SmtpReceiving;

/// <summary>What a listener is for.</summary>
public enum SmtpRole
{
    /// <summary>Mail exchanger: local recipients from anyone; relays only for authenticated users or trusted networks.</summary>
    Mx,

    /// <summary>Message submission (RFC 6409): authentication required before MAIL.</summary>
    Submission,
}

/// <summary>Per-listener options (<c>Listeners[i]:Options</c>); unset values default by listener name.</summary>
public sealed class SmtpListenerOptions
{
    /// <summary>The listener's role; default <see cref="SmtpRole.Submission"/> for listeners named <c>submission</c> or <c>smtps</c>, else <see cref="SmtpRole.Mx"/>.</summary>
    public SmtpRole? Role { get; set; }

    /// <summary>Offer AUTH PLAIN and LOGIN without TLS; default false.</summary>
    public bool? AllowPlainAuth { get; set; }

    /// <summary>Require AUTH before MAIL; default true for submission listeners.</summary>
    public bool? RequireAuth { get; set; }

    /// <summary>Resolves unset values with the defaults for a listener name.</summary>
    internal SmtpListenerSettings Resolve(string listenerName)
    {
        var role = Role ?? (listenerName is "submission" or "smtps" ? SmtpRole.Submission : SmtpRole.Mx);
        return new SmtpListenerSettings(role, AllowPlainAuth ?? false, RequireAuth ?? role == SmtpRole.Submission);
    }
}

/// <summary>A listener's resolved options.</summary>
internal sealed record SmtpListenerSettings(SmtpRole Role, bool AllowPlainAuth, bool RequireAuth);
