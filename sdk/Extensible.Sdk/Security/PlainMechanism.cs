using System.Text;
using Extensible.Sdk.Users;

namespace Extensible.Sdk.Security;

/// <summary>SASL PLAIN (RFC 4616): one message <c>[authzid] NUL authcid NUL password</c>, UTF-8.</summary>
/// <param name="users">The directory that checks the password.</param>
public sealed class PlainMechanism(IUserDirectory users) : SaslMechanism
{
    private bool _challenged;

    /// <inheritdoc />
    public override string Name => "PLAIN";

    /// <inheritdoc />
    public override bool IsPlainText => true;

    /// <inheritdoc />
    public override async ValueTask<SaslStep> StepAsync(ReadOnlyMemory<byte> response, CancellationToken cancellationToken = default)
    {
        if (response.IsEmpty && !_challenged)
        {
            _challenged = true;
            return new SaslStep.Challenge([]);
        }

        var span = response.Span;
        var first = span.IndexOf((byte)0);
        var second = first < 0 ? -1 : span[(first + 1)..].IndexOf((byte)0);
        if (first < 0 || second < 0)
        {
            return new SaslStep.Failure("PLAIN message is not authzid NUL authcid NUL password", Malformed: true);
        }

        second += first + 1;
        string authzid, login, password;
        try
        {
            var strict = new UTF8Encoding(false, true);
            authzid = strict.GetString(span[..first]);
            login = strict.GetString(span[(first + 1)..second]);
            password = strict.GetString(span[(second + 1)..]);
        }
        catch (DecoderFallbackException)
        {
            return new SaslStep.Failure("PLAIN message is not valid UTF-8", Malformed: true);
        }

        if (login.Length == 0)
        {
            return new SaslStep.Failure("empty authentication identity", Malformed: true);
        }

        var user = await users.AuthenticateAsync(login, password, cancellationToken);
        if (user is null)
        {
            return new SaslStep.Failure("bad credentials", login);
        }

        if (authzid.Length > 0 && !string.Equals(authzid, login, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(authzid, user.Address, StringComparison.OrdinalIgnoreCase))
        {
            return new SaslStep.Failure("authorization identity differs from authentication identity", login);
        }

        return new SaslStep.Success(user);
    }
}
