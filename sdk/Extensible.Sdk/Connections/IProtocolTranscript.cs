namespace Extensible.Sdk.Connections;

/// <summary>Writes protocol lines to the log at Verbose level only; never pass secrets unredacted.</summary>
public interface IProtocolTranscript
{
    /// <summary>True when transcripts are written, so callers can skip building lines.</summary>
    bool IsEnabled { get; }

    /// <summary>Records a line the client sent; pass <paramref name="redact"/> for AUTH payloads and passwords.</summary>
    void Client(string line, bool redact = false);

    /// <summary>Records a line the server sent.</summary>
    void Server(string line);
}
