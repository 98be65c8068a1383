namespace Extensible.Sdk.Messages;

/// <summary>What an SMTP hook decided; anything but <see cref="Continue"/> is sent to the client as the reply.</summary>
/// <param name="Code">SMTP reply code, or 0 to continue.</param>
/// <param name="EnhancedCode">RFC 3463 status code.</param>
/// <param name="Text">Reply text.</param>
/// <param name="Disconnect">True to close the connection after the reply.</param>
public sealed record SmtpHookResult(int Code, string EnhancedCode, string Text, bool Disconnect = false)
{
    /// <summary>Let the command proceed.</summary>
    public static SmtpHookResult Continue { get; } = new(0, "", "");

    /// <summary>True when the command may proceed.</summary>
    public bool IsContinue => Code == 0;
}
