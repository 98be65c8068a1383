namespace Extensible.Sdk.Messages;

/// <summary>Checks run at SMTP session points (Haraka-style: connect, helo, mail, rcpt); for example DNSBL on connect.</summary>
public interface ISmtpHook
{
    /// <summary>Lower runs first.</summary>
    int Order => 1000;

    /// <summary>After the connection is accepted, before the greeting; a refusal greets with it instead (554 or 421).</summary>
    ValueTask<SmtpHookResult> OnConnectAsync(SmtpSessionInfo session, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpHookResult.Continue);

    /// <summary>After HELO/EHLO.</summary>
    ValueTask<SmtpHookResult> OnHeloAsync(SmtpSessionInfo session, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpHookResult.Continue);

    /// <summary>After MAIL FROM passed the server's own checks.</summary>
    ValueTask<SmtpHookResult> OnMailFromAsync(SmtpSessionInfo session, string reversePath, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpHookResult.Continue);

    /// <summary>After RCPT TO passed the server's own checks (relay, known user).</summary>
    ValueTask<SmtpHookResult> OnRcptToAsync(SmtpSessionInfo session, string forwardPath, CancellationToken cancellationToken) => ValueTask.FromResult(SmtpHookResult.Continue);
}
