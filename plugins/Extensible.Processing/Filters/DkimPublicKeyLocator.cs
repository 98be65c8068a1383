using Extensible.Sdk.Dns;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Extensible.Processing.Filters;

/// <summary>Finds DKIM public keys in DNS TXT records (<c>selector._domainkey.domain</c>) through the host's DNR.</summary>
public sealed class DkimPublicKeyLocator(IDnsResolver dns) : DkimPublicKeyLocatorBase
{
    /// <summary>Not supported: verification always runs asynchronously.</summary>
    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("DKIM keys are looked up asynchronously only");

    /// <inheritdoc />
    public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        var name = $"{selector}._domainkey.{domain}";
        var txt = await dns.ResolveTxtAsync(name, cancellationToken);
        if (txt.IsTemporaryFailure)
        {
            throw new DkimKeyUnavailableException($"DNS lookup of {name} failed ({txt.Status})");
        }

        var record = txt.Records.FirstOrDefault(r => r.Contains("p=", StringComparison.Ordinal));
        return record is null
            ? throw new FormatException($"no DKIM key at {name}")
            : GetPublicKey(record);
    }
}

/// <summary>The key could not be fetched for now (a temporary DNS failure).</summary>
public sealed class DkimKeyUnavailableException(string message) : Exception(message);
