using Extensible.Pop3.Protocol;
using Extensible.Sdk.Security;

namespace Extensible.Pop3.Commands;

/// <summary>AUTH (RFC 5034): a SASL exchange with <c>+ base64</c> challenges, <c>*</c> to cancel and an optional initial response.</summary>
public sealed class AuthCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "AUTH";

    /// <inheritdoc />
    public override Pop3State States => Pop3State.Authorization;

    /// <inheritdoc />
    public override bool HasSecretArguments => true;

    /// <inheritdoc />
    public override async ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        var allowPlainText = session.PlainTextLoginAllowed;
        if (arguments.Length == 0)
        {
            // The pre-RFC 5034 form many clients still send to learn the mechanisms.
            session.WriteLine("+OK Supported mechanisms follow");
            foreach (var name in SaslServer.MechanismNames(allowPlainText))
            {
                session.WriteLine(name);
            }

            session.WriteLine(".");
            return;
        }

        var space = arguments.IndexOf(' ', StringComparison.Ordinal);
        var mechanismName = space < 0 ? arguments : arguments[..space];
        var initial = space < 0 ? null : arguments[(space + 1)..];
        var mechanism = SaslServer.Create(mechanismName, session.Services.Users);
        if (mechanism is null || !SaslServer.MechanismNames(true).Contains(mechanism.Name))
        {
            session.Error("Unsupported authentication mechanism");
            return;
        }

        if (mechanism.IsPlainText && !allowPlainText)
        {
            session.Error(Pop3ResponseCode.Auth + "Plain-text authentication is not allowed without TLS; use STLS");
            return;
        }

        byte[] response = [];
        if (initial is not null && !TryDecode(initial, out response))
        {
            session.Error("Initial response is not valid base64");
            return;
        }

        while (true)
        {
            var step = await mechanism.StepAsync(response, cancellationToken);
            switch (step)
            {
                case SaslStep.Challenge challenge:
                    var next = await ReadResponseAsync(session, challenge.Data, cancellationToken);
                    if (next is null)
                    {
                        return;
                    }

                    response = next;
                    break;
                case SaslStep.Success success:
                    if (success.AdditionalData is not null)
                    {
                        // RFC 5034 has no data-with-success: the server's final message goes as a challenge, answered empty.
                        var last = await ReadResponseAsync(session, success.AdditionalData, cancellationToken);
                        if (last is null)
                        {
                            return;
                        }
                    }

                    await session.LoginAsync(success.User, cancellationToken);
                    return;
                case SaslStep.Failure failure:
                    session.AuthenticationFailed(failure.Login, mechanism.Name + ": " + failure.Reason);
                    return;
            }
        }
    }

    private static async ValueTask<byte[]?> ReadResponseAsync(Pop3Session session, byte[] challenge, CancellationToken cancellationToken)
    {
        session.WriteLine("+ " + Convert.ToBase64String(challenge));
        var (result, line) = await session.ReadLineAsync(session.Options.MaxAuthLineLength, cancellationToken);
        switch (result)
        {
            case Pop3Session.LineResult.Closed:
                session.Close();
                return null;
            case Pop3Session.LineResult.Line when line == "*":
                session.Connection.Transcript.Client("*");
                session.Error("Authentication cancelled");
                return null;
            case Pop3Session.LineResult.Line when TryDecode(line!, out var data):
                session.Connection.Transcript.Client("<SASL response>", redact: true);
                return data;
            default:
                session.Connection.Transcript.Client("<bad SASL response>", redact: true);
                session.Error("SASL response is not valid base64");
                return null;
        }
    }

    private static bool TryDecode(string text, out byte[] data)
    {
        data = [];
        if (text is "" or "=")
        {
            return true;
        }

        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }

        data = buffer[..written];
        return true;
    }
}
