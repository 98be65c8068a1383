using System.Net;
using Extensible.Hosting.Networking;

namespace Extensible.Host.Tests.Networking;

public sealed class PeerPenaltiesTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("198.51.100.7");

    [Fact]
    public void Failures_are_forgotten_after_the_memory_window()
    {
        var penalties = new PeerPenalties();
        penalties.ReportFailure(Peer, 0);
        penalties.ReportFailure(Peer, 1000);

        Assert.Equal(TimeSpan.FromSeconds(1), penalties.DelayFor(Peer, 2, 2000));
        Assert.Equal(TimeSpan.Zero, penalties.DelayFor(Peer, 2, 1000 + (long)PeerPenalties.Memory.TotalMilliseconds));
        Assert.Equal(0, penalties.Count);
    }

    [Fact]
    public void Zero_threshold_never_delays()
    {
        var penalties = new PeerPenalties();
        for (var i = 0; i < 20; i++)
        {
            penalties.ReportFailure(Peer, i);
        }

        Assert.Equal(TimeSpan.Zero, penalties.DelayFor(Peer, 0, 100));
    }

    [Fact]
    public void Table_is_bounded()
    {
        var penalties = new PeerPenalties(capacity: 64);
        for (var i = 0; i < 5000; i++)
        {
            penalties.ReportFailure(new IPAddress([203, 0, (byte)(i / 256), (byte)(i % 256)]), i);
        }

        Assert.InRange(penalties.Count, 1, 64);
    }
}
