using Extensible.Sdk.Security;

namespace Extensible.SmtpReceiving.Session;

internal sealed partial class SmtpSession
{
    private const int MaxSaslSteps = 8;

    private async ValueTask AuthAsync(string args)
    {
        if (_heloName is null || !_esmtp)
        {
            Error("503 5.5.1 Error: send EHLO first");
            return;
        }

        if (_user is not null)
        {
            Error("503 5.5.1 Error: already authenticated");
            return;
        }

        if (_transaction is not null)
        {
            Error("503 5.5.1 Error: AUTH not allowed during a mail transaction");
            return;
        }

        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2)
        {
            Error("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
            return;
        }

        var mechanism = SaslServer.Create(parts[0], _services.Users);
        if (mechanism is null || !SaslServer.MechanismNames(allowPlainText: true).Contains(mechanism.Name))
        {
            Error("504 5.5.4 Unrecognized authentication type");
            return;
        }

        if (mechanism.IsPlainText && !PlainAuthAllowed)
        {
            Error("538 5.7.11 Encryption required for requested authentication mechanism");
            return;
        }

        byte[] response = [];
        if (parts.Length == 2 && parts[1] != "=")
        {
            if (!TryDecodeBase64(parts[1], out response))
            {
                Error("501 5.5.2 Invalid base64 in initial response");
                return;
            }
        }

        for (var step = 0; step < MaxSaslSteps; step++)
        {
            var next = await mechanism.StepAsync(response, Closed);
            switch (next)
            {
                case SaslStep.Challenge challenge:
                    Reply("334 " + Convert.ToBase64String(challenge.Data));
                    var line = await ReadSaslResponseAsync();
                    if (line is null)
                    {
                        return;
                    }

                    if (!TryDecodeBase64(line, out response))
                    {
                        Error("501 5.5.2 Invalid base64 in response");
                        return;
                    }

                    break;

                case SaslStep.Success success:
                    if (success.AdditionalData is not null)
                    {
                        // RFC 4954 4: server data with success travels in a last 334 and the client answers empty.
                        Reply("334 " + Convert.ToBase64String(success.AdditionalData));
                        var final = await ReadSaslResponseAsync();
                        if (final is null)
                        {
                            return;
                        }

                        if (final.Length != 0)
                        {
                            Error("501 5.5.2 Expected an empty response");
                            return;
                        }
                    }

                    _user = success.User;
                    _connection.Logger.Information("Authenticated {User} with {Mechanism}", success.User.Address, mechanism.Name);
                    Reply("235 2.7.0 Authentication successful");
                    return;

                case SaslStep.Failure failure:
                    AuthFailed(mechanism.Name, failure);
                    return;
            }
        }

        AuthFailed(mechanism.Name, new SaslStep.Failure("too many SASL steps", Malformed: true));
    }

    /// <summary>Reads a SASL continuation; null (after replying) when the client cancelled or went away.</summary>
    private async ValueTask<string?> ReadSaslResponseAsync()
    {
        var line = await ReadLineAsync(MaxAuthLine);
        if (line is not null)
        {
            _transcript.Client("***", redact: true);
        }

        if (line is null)
        {
            if (!_closing)
            {
                Error("500 5.5.2 Error: bad AUTH response line");
            }

            return null;
        }

        if (line == "*")
        {
            Error("501 5.0.0 Authentication cancelled");
            return null;
        }

        return line;
    }

    private void AuthFailed(string mechanism, SaslStep.Failure failure)
    {
        _authErrors++;
        _connection.ReportAuthenticationFailure();
        _connection.Logger.Warning("Authentication with {Mechanism} failed for {Login}: {Reason}", mechanism, failure.Login, failure.Reason);
        Reply(failure.Malformed ? "501 5.5.2 Malformed authentication data" : "535 5.7.8 Authentication credentials invalid");
        var max = _connection.Limits.MaxAuthErrors;
        if (max > 0 && _authErrors >= max)
        {
            _connection.Logger.Warning("Closing SMTP session after {AuthErrors} failed authentications", _authErrors);
            Reply($"421 4.7.0 {_services.ServerName} Too many failed authentications, closing connection");
            _closing = true;
        }
    }

    private static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0)
        {
            return true;
        }

        var buffer = new byte[text.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
