using System.Diagnostics;
using Extensible.Sdk.Security;
using Extensible.Storage.Passwords;

namespace Extensible.Storage.Tests;

public sealed class PasswordTests
{
    [Fact]
    public void Sha512_crypt_matches_the_reference_vectors()
    {
        Assert.Equal("$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
            Sha512CryptScheme.Crypt("Hello world!", "$6$saltstring"));
        Assert.Equal("$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
            Sha512CryptScheme.Crypt("Hello world!", "$6$rounds=10000$saltstringsaltstring"));
    }

    [Fact]
    public async Task Sha512_crypt_verifies_what_openssl_writes()
    {
        var start = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "passwd", "-6", "-salt", "Ab/cd.EF", "pässwörd with spaces" })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var hash = (await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)).Trim();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var service = new PasswordService(new StorageOptions());
        Assert.True(service.Verify("{SHA512-CRYPT}" + hash, "pässwörd with spaces"));
        Assert.False(service.Verify("{SHA512-CRYPT}" + hash, "password with spaces"));
    }

    [Fact]
    public void Every_supported_scheme_verifies_and_rejects()
    {
        var service = new PasswordService(new StorageOptions { Argon2MemoryKib = 1024, Argon2Iterations = 1 });
        string[] stored =
        [
            service.Hash("pw"),
            "{BLF-CRYPT}" + BCrypt.Net.BCrypt.HashPassword("pw", 4),
            "{SSHA}" + SaltedShaScheme.Sha1.Encode("pw"),
            "{SSHA512}" + SaltedShaScheme.Sha512.Encode("pw"),
            "{SHA512-CRYPT}" + Sha512CryptScheme.Crypt("pw", "$6$abcdefgh"),
        ];
        foreach (var value in stored)
        {
            Assert.True(service.Verify(value, "pw"), value);
            Assert.False(service.Verify(value, "pW"), value);
        }

        Assert.StartsWith("{ARGON2ID}$argon2id$v=19$m=1024,t=1,p=1$", stored[0]);
        Assert.False(service.Verify("{PLAIN}pw", "pw"));
        Assert.True(new PasswordService(new StorageOptions { AllowPlainPasswords = true }).Verify("{PLAIN}pw", "pw"));
        Assert.False(service.Verify("{MD5}whatever", "pw"));
        Assert.False(service.Verify("{SSHA}not base64!", "pw"));
    }

    [Fact]
    public async Task Authenticate_uses_the_cache_and_forgets_it_on_password_change()
    {
        var token = TestContext.Current.CancellationToken;
        await using var scope = StoreScope.Create();
        await scope.AddUserAsync("u@example.test", "first");
        Assert.NotNull(await scope.Directory.AuthenticateAsync("U@Example.Test", "first", token));
        Assert.Equal(1, scope.Engine.Passwords.Cache.Count);
        Assert.NotNull(await scope.Directory.AuthenticateAsync("u", "first", token)); // login without domain: the primary domain
        Assert.Null(await scope.Directory.AuthenticateAsync("u@example.test", "wrong", token));
        await scope.Accounts.SetPasswordAsync("u@example.test", "second", token);
        Assert.Null(await scope.Directory.AuthenticateAsync("u@example.test", "first", token));
        Assert.NotNull(await scope.Directory.AuthenticateAsync("u@example.test", "second", token));
        await scope.Accounts.UpdateUserAsync("u@example.test", null, null, null, enabled: false, token);
        Assert.Null(await scope.Directory.AuthenticateAsync("u@example.test", "second", token));
    }

    [Fact]
    public async Task Scram_keys_are_stored_and_a_scram_exchange_succeeds()
    {
        var token = TestContext.Current.CancellationToken;
        await using var scope = StoreScope.Create();
        await scope.AddUserAsync("s@example.test", "pencil");
        var credentials = await scope.Directory.GetScramCredentialsAsync("s@example.test", "SCRAM-SHA-256", token);
        Assert.NotNull(credentials);
        var (stored, server) = ScramSha256Mechanism.DeriveKeys("pencil", credentials.Salt, credentials.Iterations);
        Assert.Equal(stored, credentials.StoredKey);
        Assert.Equal(server, credentials.ServerKey);
        Assert.Null(await scope.Directory.GetScramCredentialsAsync("s@example.test", "SCRAM-SHA-1", token));
    }
}
