namespace Extensible.Sdk.Connections;

/// <summary>The outcome of <see cref="LineReader.TryReadLine"/>.</summary>
public enum LineStatus
{
    /// <summary>No complete line yet; read more input.</summary>
    Incomplete,

    /// <summary>A line ended by CRLF was read.</summary>
    Complete,

    /// <summary>A line ended by a bare LF was read; protocols that forbid it answer with an error.</summary>
    BareLineFeed,

    /// <summary>The line is longer than the limit; the input up to and including its end, or all of it so far, was consumed.</summary>
    TooLong,
}
