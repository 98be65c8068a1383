using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Extensible.Host.Tests.Networking;

/// <summary>A Serilog sink that keeps events in memory, for asserting on what the host logged.</summary>
internal sealed class CollectingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => _events.ToArray();

    public static (ILogger Logger, CollectingSink Sink) Create()
    {
        var sink = new CollectingSink();
        var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        return (logger, sink);
    }

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
}
