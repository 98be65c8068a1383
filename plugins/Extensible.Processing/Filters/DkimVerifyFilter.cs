using System.Composition;
using Extensible.Sdk.Dns;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;
using MimeKit;
using MimeKit.Cryptography;

namespace Extensible.Processing.Filters;

/// <summary>Verifies DKIM signatures (MimeKit's DkimVerifier, keys through the DNR) and records each as an Authentication-Results clause.</summary>
[Export(typeof(IMessageFilter))]
[method: ImportingConstructor]
public sealed class DkimVerifyFilter(PluginContext context) : IMessageFilter
{
    /// <inheritdoc />
    public string Name => "dkim-verify";

    /// <inheritdoc />
    public int Order => 110;

    /// <inheritdoc />
    public async ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next)
    {
        var options = context.GetOptions<ProcessingFilterOptions>().Filters.DkimVerify;
        if (!options.Enabled)
        {
            return await next(message);
        }

        var mime = await message.GetMimeMessageAsync(message.Cancellation);
        var signatures = mime.Headers.Where(h => h.Id == HeaderId.DkimSignature).Take(Math.Max(1, options.MaxSignatures)).ToList();
        if (signatures.Count == 0)
        {
            AuthenticationResults.Add(message, "dkim=none");
            return await next(message);
        }

        var verifier = new DkimVerifier(new DkimPublicKeyLocator(context.GetRequiredService<IDnsResolver>()));
        foreach (var signature in signatures)
        {
            var tags = Tags(signature.Value);
            string result;
            try
            {
                result = await verifier.VerifyAsync(mime, signature, message.Cancellation) ? "pass" : "fail";
            }
            catch (DkimKeyUnavailableException ex)
            {
                context.Logger.Information("DKIM key for {QueueId} unavailable: {Error}", message.QueueId, ex.Message);
                result = "temperror";
            }
            catch (Exception ex) when (ex is FormatException or ParseException or NotSupportedException or ArgumentException)
            {
                context.Logger.Information("DKIM signature of {QueueId} unusable: {Error}", message.QueueId, ex.Message);
                result = "permerror";
            }

            AuthenticationResults.Add(message, $"dkim={result} header.d={tags.GetValueOrDefault("d", "unknown")} header.s={tags.GetValueOrDefault("s", "unknown")}");
        }

        return await next(message);
    }

    private static Dictionary<string, string> Tags(string value)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in value.Split(';'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                tags.TryAdd(part[..equals].Trim(), string.Concat(part[(equals + 1)..].Where(c => !char.IsWhiteSpace(c))));
            }
        }

        return tags;
    }
}
