using System.Security.Cryptography;
using System.Text;
using Extensible.Sdk.Users;

namespace Extensible.Sdk.Security;

/// <summary>SASL SCRAM-SHA-256 (RFC 5802, RFC 7677) against keys the directory stores; no channel binding.</summary>
/// <param name="users">The directory that holds the SCRAM keys.</param>
public sealed class ScramSha256Mechanism(IUserDirectory users) : SaslMechanism
{
    private int _state;
    private string? _gs2Header;
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;
    private ScramCredentials? _credentials;

    /// <inheritdoc />
    public override string Name => "SCRAM-SHA-256";

    /// <inheritdoc />
    public override bool IsPlainText => false;

    /// <summary>Derives the keys a directory stores for a password.</summary>
    public static (byte[] StoredKey, byte[] ServerKey) DeriveKeys(string password, byte[] salt, int iterations)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password.Normalize(NormalizationForm.FormKC)), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return (SHA256.HashData(clientKey), serverKey);
    }

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
            return new SaslStep.Failure("SCRAM message is not valid UTF-8", Malformed: true);
        }

        switch (_state)
        {
            case 0 when text.Length == 0:
                _state = 1;
                return new SaslStep.Challenge([]);
            case 0 or 1:
                return await ClientFirstAsync(text, cancellationToken);
            case 2:
                return ClientFinal(text);
            default:
                return new SaslStep.Failure("SCRAM exchange already finished", Malformed: true);
        }
    }

    private async ValueTask<SaslStep> ClientFirstAsync(string text, CancellationToken cancellationToken)
    {
        // gs2-header: "n,," | "y,," | "n,a=authzid," ; channel binding ("p=") is not offered, so it is refused.
        var firstComma = text.IndexOf(',', StringComparison.Ordinal);
        var secondComma = firstComma < 0 ? -1 : text.IndexOf(',', firstComma + 1);
        if (firstComma != 1 || secondComma < 0 || (text[0] != 'n' && text[0] != 'y'))
        {
            return new SaslStep.Failure("SCRAM client-first-message has a bad or unsupported GS2 header", Malformed: true);
        }

        _gs2Header = text[..(secondComma + 1)];
        _clientFirstBare = text[(secondComma + 1)..];
        var attributes = ParseAttributes(_clientFirstBare);
        if (attributes is null || !attributes.TryGetValue('n', out var saslName) || !attributes.TryGetValue('r', out var clientNonce)
            || clientNonce.Length == 0 || attributes.ContainsKey('m'))
        {
            return new SaslStep.Failure("SCRAM client-first-message lacks n= or r=", Malformed: true);
        }

        var login = saslName.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        _credentials = await users.GetScramCredentialsAsync(login, Name, cancellationToken);
        if (_credentials is null)
        {
            return new SaslStep.Failure("no SCRAM credentials for this login", login);
        }

        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credentials.Salt)},i={_credentials.Iterations}";
        _state = 2;
        return new SaslStep.Challenge(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslStep ClientFinal(string text)
    {
        _state = 3;
        var proofIndex = text.LastIndexOf(",p=", StringComparison.Ordinal);
        var attributes = ParseAttributes(text);
        if (proofIndex < 0 || attributes is null || !attributes.TryGetValue('c', out var binding) || !attributes.TryGetValue('r', out var nonce)
            || !attributes.TryGetValue('p', out var proofText))
        {
            return new SaslStep.Failure("SCRAM client-final-message lacks c=, r= or p=", _credentials?.User.Address, Malformed: true);
        }

        if (nonce != _nonce || binding != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header!)))
        {
            return new SaslStep.Failure("SCRAM nonce or channel binding mismatch", _credentials!.User.Address, Malformed: true);
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(proofText);
        }
        catch (FormatException)
        {
            return new SaslStep.Failure("SCRAM proof is not base64", _credentials!.User.Address, Malformed: true);
        }

        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{text[..proofIndex]}");
        var credentials = _credentials!;
        var clientSignature = HMACSHA256.HashData(credentials.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length)
        {
            return new SaslStep.Failure("bad credentials", credentials.User.Address);
        }

        var clientKey = new byte[proof.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            clientKey[i] = (byte)(proof[i] ^ clientSignature[i]);
        }

        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(clientKey), credentials.StoredKey))
        {
            return new SaslStep.Failure("bad credentials", credentials.User.Address);
        }

        var serverSignature = HMACSHA256.HashData(credentials.ServerKey, authMessage);
        return new SaslStep.Success(credentials.User, Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
    }

    private static Dictionary<char, string>? ParseAttributes(string text)
    {
        var result = new Dictionary<char, string>();
        foreach (var part in text.Split(','))
        {
            if (part.Length < 2 || part[1] != '=')
            {
                return null;
            }

            result.TryAdd(part[0], part[2..]);
        }

        return result;
    }
}
