using System.Collections.Concurrent;
using System.Composition;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;
using MimeKit;
using MimeKit.Cryptography;

namespace Extensible.Processing.Filters;

/// <summary>Signs mail from authenticated senders with the DKIM key of the From domain (MimeKit's DkimSigner, relaxed/relaxed, rsa-sha256).</summary>
/// <remarks>Runs last so that no later filter changes a signed header; a missing or broken key file fails the filter (and the chain's policy applies).</remarks>
[Export(typeof(IMessageFilter))]
[method: ImportingConstructor]
public sealed class DkimSignFilter(PluginContext context) : IMessageFilter
{
    private readonly ConcurrentDictionary<(string Path, string Domain, string Selector), DkimSigner> _signers = new();

    /// <inheritdoc />
    public string Name => "dkim-sign";

    /// <inheritdoc />
    public int Order => 900;

    /// <inheritdoc />
    public async ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next)
    {
        var options = context.GetOptions<ProcessingFilterOptions>().Filters.DkimSign;
        if (!options.Enabled || message.Envelope.AuthenticatedUser is null || options.Keys.Count == 0)
        {
            return await next(message);
        }

        var mime = await message.GetMimeMessageAsync(message.Cancellation);
        var fromDomain = mime.From.Mailboxes.FirstOrDefault()?.Domain;
        var key = fromDomain is null ? null : options.Keys
            .Where(k => fromDomain.Equals(k.Domain, StringComparison.OrdinalIgnoreCase) || fromDomain.EndsWith("." + k.Domain, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(k => k.Domain.Length)
            .FirstOrDefault();
        if (key is null)
        {
            return await next(message);
        }

        var path = Path.IsPathRooted(key.PrivateKeyPath) ? key.PrivateKeyPath : Path.Combine(context.DataDirectory, key.PrivateKeyPath);
        var signer = _signers.GetOrAdd((path, key.Domain, key.Selector), k => new DkimSigner(k.Path, k.Domain, k.Selector, DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        });
        var headers = options.EffectiveHeaders.Where(h => mime.Headers.Contains(h)).ToList();
        if (!headers.Contains("From", StringComparer.OrdinalIgnoreCase))
        {
            headers.Insert(0, "From");
        }

        // Sign a header-only view of the parsed message, then move the new header into the message as delivered.
        var before = mime.Headers.Count(h => h.Id == HeaderId.DkimSignature);
        signer.Sign(mime, headers);
        var added = mime.Headers.Where(h => h.Id == HeaderId.DkimSignature).ToList();
        if (added.Count > before)
        {
            var signature = added[0];
            mime.Headers.Remove(signature);
            message.PrependHeader("DKIM-Signature", signature.Value);
            context.Logger.Debug("Signed {QueueId} for {Domain} with selector {Selector}", message.QueueId, key.Domain, key.Selector);
        }

        return await next(message);
    }
}
