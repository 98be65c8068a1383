using System.Text;

namespace Extensible.SmtpReceiving.Session;

internal sealed partial class SmtpSession
{
    private async ValueTask HeloAsync(string args, bool extended)
    {
        var name = args.Split(' ', 2)[0];
        if (name.Length == 0)
        {
            Error(extended ? "501 5.5.4 Syntax: EHLO hostname" : "501 5.5.4 Syntax: HELO hostname");
            return;
        }

        await ResetTransactionAsync();
        _heloName = name;
        _esmtp = extended;
        if (!await RunHooksAsync((hook, info) => hook.OnHeloAsync(info, Closed)))
        {
            _heloName = null;
            return;
        }

        if (!extended)
        {
            Reply($"250 {_services.ServerName}");
            return;
        }

        var reply = new StringBuilder(256);
        reply.Append("250-").Append(_services.ServerName).Append(" Hello ").Append(name).Append("\r\n");
        reply.Append("250-PIPELINING\r\n");
        reply.Append("250-SIZE ").Append(_options.MaxMessageSize).Append("\r\n");
        reply.Append("250-8BITMIME\r\n");
        reply.Append("250-ENHANCEDSTATUSCODES\r\n");
        if (_connection.Listener.TlsAvailable && !_connection.IsSecure)
        {
            reply.Append("250-STARTTLS\r\n");
        }

        if (_user is null)
        {
            reply.Append("250-AUTH ").AppendJoin(' ', Sdk.Security.SaslServer.MechanismNames(PlainAuthAllowed)).Append("\r\n");
        }

        reply.Append("250-SMTPUTF8\r\n");
        reply.Append("250-CHUNKING\r\n");
        reply.Append("250 DSN");
        Reply(reply.ToString());
    }
}
