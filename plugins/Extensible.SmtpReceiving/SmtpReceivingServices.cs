using Extensible.Sdk.Messages;
using Extensible.Sdk.Users;
using Extensible.SmtpReceiving.Protocol;

namespace Extensible.SmtpReceiving;

/// <summary>Everything a session needs from the plugin, swapped as a whole on reload.</summary>
internal sealed class SmtpReceivingServices(
    SmtpReceivingOptions options,
    string serverName,
    string primaryDomain,
    string spoolDirectory,
    IMessagePipeline pipeline,
    IUserDirectory users,
    IReadOnlyList<ISmtpHook> hooks)
{
    public SmtpReceivingOptions Options { get; } = options;

    public string ServerName { get; } = serverName;

    public string PrimaryDomain { get; } = primaryDomain;

    public string SpoolDirectory { get; } = spoolDirectory;

    public IMessagePipeline Pipeline { get; } = pipeline;

    public IUserDirectory Users { get; } = users;

    public IReadOnlyList<ISmtpHook> Hooks { get; } = hooks;

    public NetworkList RelayNetworks { get; } = NetworkList.Parse(options.RelayNetworks);

    public TimeSpan CommandTimeout { get; } = TimeSpan.FromSeconds(Math.Max(1, options.CommandTimeout));

    public TimeSpan DataTimeout { get; } = TimeSpan.FromSeconds(Math.Max(1, options.DataTimeout));
}
