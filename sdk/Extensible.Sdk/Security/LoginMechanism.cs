using System.Text;
using Extensible.Sdk.Users;

namespace Extensible.Sdk.Security;

/// <summary>SASL LOGIN (draft-murchison-sasl-login): asks <c>Username:</c> then <c>Password:</c>; an initial response is the user name.</summary>
/// <param name="users">The directory that checks the password.</param>
public sealed class LoginMechanism(IUserDirectory users) : SaslMechanism
{
    private static readonly byte[] UsernamePrompt = "Username:"u8.ToArray();
    private static readonly byte[] PasswordPrompt = "Password:"u8.ToArray();
    private string? _login;

    /// <inheritdoc />
    public override string Name => "LOGIN";

    /// <inheritdoc />
    public override bool IsPlainText => true;

    /// <inheritdoc />
    public override async ValueTask<SaslStep> StepAsync(ReadOnlyMemory<byte> response, CancellationToken cancellationToken = default)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(response.Span);
        }
        catch (DecoderFallbackException)
        {
            return new SaslStep.Failure("LOGIN response is not valid UTF-8", _login, Malformed: true);
        }

        if (_login is null)
        {
            if (text.Length == 0)
            {
                _login = string.Empty;
                return new SaslStep.Challenge(UsernamePrompt);
            }

            _login = text;
            return new SaslStep.Challenge(PasswordPrompt);
        }

        if (_login.Length == 0)
        {
            if (text.Length == 0)
            {
                return new SaslStep.Failure("empty user name", Malformed: true);
            }

            _login = text;
            return new SaslStep.Challenge(PasswordPrompt);
        }

        var user = await users.AuthenticateAsync(_login, text, cancellationToken);
        return user is null ? new SaslStep.Failure("bad credentials", _login) : new SaslStep.Success(user);
    }
}
