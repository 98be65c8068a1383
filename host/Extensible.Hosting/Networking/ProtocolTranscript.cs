using Extensible.Sdk.Connections;
using Serilog.Events;

namespace Extensible.Hosting.Networking;

/// <summary>Writes protocol lines at Verbose level, redacting what the protocol marks secret.</summary>
internal sealed class ProtocolTranscript(Serilog.ILogger logger, string service) : IProtocolTranscript
{
    public bool IsEnabled => Logging.LoggerFactory.ServiceLevels.Current?.IsVerbose(service) ?? logger.IsEnabled(LogEventLevel.Verbose);

    public void Client(string line, bool redact = false)
    {
        if (IsEnabled)
        {
            logger.Verbose("C: {Line}", redact ? Redact(line) : line);
        }
    }

    public void Server(string line)
    {
        if (IsEnabled)
        {
            logger.Verbose("S: {Line}", line);
        }
    }

    private static string Redact(string line)
    {
        // Keep the verb (and a tag) so the transcript still reads; drop every argument.
        var parts = line.Split(' ', 3);
        return parts.Length switch
        {
            1 => "<redacted>",
            2 => parts[0] + " <redacted>",
            _ => parts[0] + " " + parts[1] + " <redacted>",
        };
    }
}
