using System.Composition;
using Extensible.Processing.Filters.Spf;
using Extensible.Sdk.Dns;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Filters;

/// <summary>Checks SPF (RFC 7208) for mail from unauthenticated clients; records Received-SPF and an Authentication-Results clause.</summary>
/// <remarks>Refuses only when configured: fail (550 5.7.23), permerror (550 5.7.24), temperror (451 4.7.24).</remarks>
[Export(typeof(IMessageFilter))]
[method: ImportingConstructor]
public sealed class SpfFilter(PluginContext context) : IMessageFilter
{
    /// <inheritdoc />
    public string Name => "spf";

    /// <inheritdoc />
    public int Order => 100;

    /// <inheritdoc />
    public async ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next)
    {
        var options = context.GetOptions<ProcessingFilterOptions>().Filters.Spf;
        var envelope = message.Envelope;
        if (!options.Enabled || envelope.ClientAddress is null || (envelope.AuthenticatedUser is not null && !options.CheckAuthenticated))
        {
            return await next(message);
        }

        var helo = envelope.HeloName?.Trim().TrimStart('[').TrimEnd(']');
        var at = envelope.MailFrom.LastIndexOf('@');
        var (identity, domain, sender) = envelope.MailFrom.Length > 0
            ? ("mailfrom", at >= 0 ? envelope.MailFrom[(at + 1)..] : envelope.MailFrom, at > 0 ? envelope.MailFrom : "postmaster@" + envelope.MailFrom)
            : ("helo", helo ?? "", "postmaster@" + helo);

        var outcome = domain.Length == 0
            ? new SpfOutcome(SpfResult.None, "no identity to check")
            : await new SpfEvaluator(context.GetRequiredService<IDnsResolver>(), context.ServerName)
                .CheckHostAsync(envelope.ClientAddress, domain, sender, helo, message.Cancellation);
        var result = outcome.Result.ToString().ToLowerInvariant();
        context.Logger.Debug("SPF for {QueueId}: {Result} ({Reason})", message.QueueId, result, outcome.Reason);

        message.PrependHeader("Received-SPF",
            $"{result} ({context.ServerName}: {Comment(outcome, identity == "mailfrom" ? sender : helo, envelope.ClientAddress)}) " +
            $"client-ip={envelope.ClientAddress}; envelope-from=\"{envelope.MailFrom}\"; helo={helo ?? "unknown"}; receiver={context.ServerName}; identity={identity};");
        AuthenticationResults.Add(message, identity == "mailfrom" ? $"spf={result} smtp.mailfrom={sender}" : $"spf={result} smtp.helo={helo}");

        return outcome.Result switch
        {
            SpfResult.Fail when options.RejectOnFail => FilterVerdict.Reject(550, "5.7.23", $"SPF validation failed: {sender} does not designate {envelope.ClientAddress} as permitted sender"),
            SpfResult.PermError when options.RejectOnPermError => FilterVerdict.Reject(550, "5.7.24", $"SPF record of {domain} is invalid"),
            SpfResult.TempError when options.DeferOnTempError => FilterVerdict.TempFail(451, "4.7.24", $"SPF lookup for {domain} failed temporarily"),
            _ => await next(message),
        };
    }

    private static string Comment(SpfOutcome outcome, string? who, System.Net.IPAddress ip) => outcome.Result switch
    {
        SpfResult.Pass => $"domain of {who} designates {ip} as permitted sender",
        SpfResult.Fail => $"domain of {who} does not designate {ip} as permitted sender",
        SpfResult.SoftFail => $"domain of transitioning {who} does not designate {ip} as permitted sender",
        SpfResult.Neutral => $"{ip} is neither permitted nor denied by domain of {who}",
        _ => outcome.Reason,
    };
}
