using System.Diagnostics.Metrics;
using System.Text.Json;
using Extensible.Hosting.Budget;

namespace Extensible.Host.Tests.Budget;

public sealed class HostStatisticsTests
{
    private static readonly ServiceSnapshot Echo = new("echo", 1, 4, 100, 3, 2, 7, 12,
        new Dictionary<string, long> { ["Denied"] = 5, ["Busy"] = 1 }, 2);

    [Fact]
    public async Task Stats_file_holds_every_service_gauge()
    {
        var folder = Directory.CreateTempSubdirectory("extensible-stats").FullName;
        try
        {
            await using var stats = new HostStatistics(folder, () => [Echo], Serilog.Core.Logger.None);

            stats.WriteNow();

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(stats.FilePath, TestContext.Current.CancellationToken));
            var echo = document.RootElement.GetProperty("services").GetProperty("echo");
            Assert.Equal(Environment.ProcessId, document.RootElement.GetProperty("pid").GetInt32());
            Assert.Equal((3, 2, 7, 12, 6, 4), (
                echo.GetProperty("threads").GetInt32(), echo.GetProperty("busy").GetInt32(), echo.GetProperty("queue").GetInt32(),
                echo.GetProperty("connections").GetInt32(), echo.GetProperty("refusals").GetInt32(), echo.GetProperty("maxThreads").GetInt32()));
            Assert.Equal(5, echo.GetProperty("refusalsByReason").GetProperty("Denied").GetInt32());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Meter_publishes_the_gauges_per_service()
    {
        var folder = Directory.CreateTempSubdirectory("extensible-stats").FullName;
        try
        {
            await using var stats = new HostStatistics(folder, () => [Echo], Serilog.Core.Logger.None);
            var seen = new Dictionary<string, long>();
            using var listener = new MeterListener();
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == HostStatistics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
            listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            listener.Start();

            listener.RecordObservableInstruments();

            Assert.Equal(3, seen["extensible.service.threads/echo"]);
            Assert.Equal(2, seen["extensible.service.threads.busy/echo"]);
            Assert.Equal(7, seen["extensible.service.queue/echo"]);
            Assert.Equal(12, seen["extensible.service.connections/echo"]);
            Assert.Equal(5, seen["extensible.service.refusals/echo/Denied"]);

            void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            {
                var key = instrument.Name;
                foreach (var tag in tags)
                {
                    key += "/" + tag.Value;
                }

                seen[key] = value;
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
