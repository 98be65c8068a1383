using Serilog.Events;

namespace Extensible.Hosting.Logging;

/// <summary>The <c>Logging</c> section.</summary>
public sealed class LoggingOptions
{
    /// <summary>Level for every service without its own.</summary>
    public LogEventLevel MinimumLevel { get; set; } = LogEventLevel.Information;

    /// <summary>Levels per service id (<c>Verbose</c> writes protocol transcripts).</summary>
    public Dictionary<string, LogEventLevel> Services { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Write to the console.</summary>
    public bool Console { get; set; } = true;

    /// <summary>Rolling files.</summary>
    public FileLogOptions File { get; set; } = new();
}

/// <summary>Rolling log files.</summary>
public sealed class FileLogOptions
{
    /// <summary>Write files.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Path, relative to the data directory; the date goes before the extension.</summary>
    public string Path { get; set; } = "logs/extensible-.log";

    /// <summary>Roll every <c>Day</c>, <c>Hour</c>, ... .</summary>
    public Serilog.RollingInterval RollingInterval { get; set; } = Serilog.RollingInterval.Day;

    /// <summary>Roll when a file reaches this size.</summary>
    public long FileSizeLimitBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Files kept.</summary>
    public int RetainedFileCountLimit { get; set; } = 31;
}
