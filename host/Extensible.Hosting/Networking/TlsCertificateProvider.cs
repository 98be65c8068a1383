using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Extensible.Hosting.Networking;

/// <summary>Loads PEM certificates for listeners, or makes a self-signed one in the data directory for a first trial.</summary>
public sealed class TlsCertificateProvider(string dataDirectory, string serverName, Serilog.ILogger logger)
{
    private readonly Dictionary<string, SslStreamCertificateContext> _loaded = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The certificate context for a PEM pair, or the self-signed default when <paramref name="certificatePath"/> is null.</summary>
    /// <exception cref="InvalidOperationException">The files cannot be read or do not hold a certificate with its key.</exception>
    public SslStreamCertificateContext Get(string? certificatePath, string? keyPath)
    {
        var key = certificatePath is null ? "<self-signed>" : certificatePath + "|" + keyPath;
        lock (_lock)
        {
            if (_loaded.TryGetValue(key, out var context))
            {
                return context;
            }

            var certificate = certificatePath is null ? SelfSigned() : LoadPem(certificatePath, keyPath);
            context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
            _loaded[key] = context;
            return context;
        }
    }

    private static X509Certificate2 LoadPem(string certificatePath, string? keyPath)
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (!pem.HasPrivateKey)
            {
                throw new InvalidOperationException($"certificate '{certificatePath}' has no private key");
            }

            // Re-import so the key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"TLS certificate '{certificatePath}' (key '{keyPath ?? certificatePath}') cannot be used: {ex.Message}", ex);
        }
    }

    private X509Certificate2 SelfSigned()
    {
        var folder = Path.Combine(dataDirectory, "tls");
        var certificatePath = Path.Combine(folder, "self-signed.crt");
        var keyPath = Path.Combine(folder, "self-signed.key");
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            logger.Warning("TLS uses the self-signed certificate {Certificate}; configure Server:Tls with a real one for production", certificatePath);
            return LoadPem(certificatePath, keyPath);
        }

        Directory.CreateDirectory(folder);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={serverName}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(serverName);
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));
        var keyTemp = keyPath + ".tmp";
        File.WriteAllText(keyTemp, rsa.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyTemp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(certificatePath + ".tmp", certificate.ExportCertificatePem());
        File.Move(keyTemp, keyPath, overwrite: true);
        File.Move(certificatePath + ".tmp", certificatePath, overwrite: true);
        logger.Warning("Generated a self-signed TLS certificate {Certificate} for {ServerName}; clients will not trust it. Configure Server:Tls for production", certificatePath, serverName);
        return LoadPem(certificatePath, keyPath);
    }
}
