using Extensible.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Extensible.Hosting.Logging;

/// <summary>Builds the Serilog logger from the <c>Logging</c> section, with a level per service that reloads.</summary>
public static class LoggerFactory
{
    private const string Template = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {Service} {ConnectionId} {Peer} {Message:lj}{NewLine}{Exception}";

    /// <summary>Creates the logger; <paramref name="levels"/> lets a reload change the levels.</summary>
    public static Logger Create(HostConfiguration configuration, ServerOptions server, out ServiceLevels levels)
    {
        var options = configuration.Root.GetSection("Logging").Get<LoggingOptions>() ?? new LoggingOptions();
        levels = new ServiceLevels(options);
        ServiceLevels.Current = levels;
        var logger = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .Enrich.FromLogContext()
            .Filter.ByIncludingOnly(levels.IsEnabled);
        if (options.Console)
        {
            logger.WriteTo.Console(outputTemplate: Template, standardErrorFromLevel: LogEventLevel.Fatal);
        }

        if (options.File.Enabled)
        {
            logger.WriteTo.File(
                Path.GetFullPath(options.File.Path, server.DataDirectory),
                outputTemplate: Template,
                rollingInterval: options.File.RollingInterval,
                fileSizeLimitBytes: options.File.FileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: options.File.RetainedFileCountLimit,
                shared: true);
        }

        return logger.CreateLogger();
    }

    /// <summary>Per-service minimum levels, swappable on reload.</summary>
    public sealed class ServiceLevels(LoggingOptions options)
    {
        private volatile LoggingOptions _options = options;

        /// <summary>The levels of the running host, or null before it configured logging.</summary>
        public static ServiceLevels? Current { get; internal set; }

        /// <summary>True when the service logs at Verbose, so protocol transcripts are worth building.</summary>
        public bool IsVerbose(string service)
        {
            var options = _options;
            return (options.Services.TryGetValue(service, out var level) ? level : options.MinimumLevel) <= LogEventLevel.Verbose;
        }

        /// <summary>Replaces the levels.</summary>
        public void Update(HostConfiguration configuration) =>
            _options = configuration.Root.GetSection("Logging").Get<LoggingOptions>() ?? new LoggingOptions();

        /// <summary>True when the event's level reaches its service's minimum.</summary>
        public bool IsEnabled(LogEvent logEvent)
        {
            var options = _options;
            var minimum = options.MinimumLevel;
            if (logEvent.Properties.TryGetValue("Service", out var value) && value is ScalarValue { Value: string service }
                && options.Services.TryGetValue(service, out var level))
            {
                minimum = level;
            }

            return logEvent.Level >= minimum;
        }
    }
}
