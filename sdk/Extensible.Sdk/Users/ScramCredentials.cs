namespace Extensible.Sdk.Users;

/// <summary>What a server stores for SCRAM (RFC 5802/7677) instead of a password.</summary>
/// <param name="User">The account the keys belong to.</param>
/// <param name="Salt">The salt.</param>
/// <param name="Iterations">The PBKDF2 iteration count.</param>
/// <param name="StoredKey">H(ClientKey).</param>
/// <param name="ServerKey">HMAC(SaltedPassword, "Server Key").</param>
public sealed record ScramCredentials(MailUser User, byte[] Salt, int Iterations, byte[] StoredKey, byte[] ServerKey);
