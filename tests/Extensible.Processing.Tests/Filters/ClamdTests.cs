using System.Net;
using System.Net.Sockets;
using System.Text;
using Extensible.Processing.Filters;
using Extensible.Processing.Tests.Filters.Support;
using Extensible.Sdk.Messages;

namespace Extensible.Processing.Tests.Filters;

/// <summary>The clamd filter against a loopback INSTREAM peer (a real clamd needs a virus database download).</summary>
public sealed class ClamdTests
{
    private static byte[] Message(string body) => Encoding.ASCII.GetBytes($"From: <a@sender.test>\r\nSubject: scan\r\n\r\n{body}\r\n");

    private static FilterPluginContext Context(LoopbackClamd clamd, MatchAction action = MatchAction.Reject, int timeout = 10) =>
        new(new BuiltInFilterOptions { Clamd = { Enabled = true, Address = clamd.Address, ActionOnMatch = action, TimeoutSeconds = timeout } });

    [Fact]
    public async Task StreamsTheWholeMessageAndMarksItClean()
    {
        await using var clamd = new LoopbackClamd();
        using var context = Context(clamd);
        var content = Message(new string('x', 200_000));
        using var message = new FilterTestMessage(content);

        var verdict = await new ClamdFilter(context).InvokeAsync(message, message.Next);

        Assert.IsType<FilterVerdict.Accepted>(verdict);
        Assert.True(message.PassedOn);
        Assert.Equal("Clean", message.Header("X-Virus-Status"));
        Assert.Equal(content, Assert.Single(clamd.Streams));
    }

    [Theory]
    [InlineData(MatchAction.Reject)]
    [InlineData(MatchAction.Discard)]
    [InlineData(MatchAction.Quarantine)]
    [InlineData(MatchAction.Header)]
    public async Task ActsOnAnInfectedMessageAsConfigured(MatchAction action)
    {
        await using var clamd = new LoopbackClamd();
        using var context = Context(clamd, action);
        using var message = new FilterTestMessage(Message(LoopbackClamd.Eicar));

        var verdict = await new ClamdFilter(context).InvokeAsync(message, message.Next);

        switch (action)
        {
            case MatchAction.Reject:
                var rejected = Assert.IsType<FilterVerdict.Rejected>(verdict);
                Assert.Equal("Virus found: Eicar-Test-Signature", rejected.Text);
                break;
            case MatchAction.Discard:
                Assert.IsType<FilterVerdict.Discarded>(verdict);
                break;
            case MatchAction.Quarantine:
                Assert.IsType<FilterVerdict.Quarantined>(verdict);
                break;
            default:
                Assert.IsType<FilterVerdict.Accepted>(verdict);
                Assert.Equal("Infected (Eicar-Test-Signature)", message.Header("X-Virus-Status"));
                break;
        }

        Assert.Equal(action == MatchAction.Header, message.PassedOn);
    }

    [Fact]
    public async Task ADeadHungOrFailingClamdThrowsSoTheChainPolicyApplies()
    {
        await using var hung = new LoopbackClamd { Hang = true };
        await using var failing = new LoopbackClamd { Error = "INSTREAM size limit exceeded. ERROR" };
        using var dead = new FilterPluginContext(new BuiltInFilterOptions { Clamd = { Enabled = true, Address = $"127.0.0.1:{ClosedPort()}" } });
        using var slow = Context(hung, timeout: 1);
        using var broken = Context(failing);

        using (var message = new FilterTestMessage(Message("x")))
        {
            await Assert.ThrowsAsync<SocketException>(async () => await new ClamdFilter(dead).InvokeAsync(message, message.Next));
        }

        using (var message = new FilterTestMessage(Message("x")))
        {
            await Assert.ThrowsAsync<TimeoutException>(async () => await new ClamdFilter(slow).InvokeAsync(message, message.Next));
        }

        using (var message = new FilterTestMessage(Message("x")))
        {
            var error = await Assert.ThrowsAsync<IOException>(async () => await new ClamdFilter(broken).InvokeAsync(message, message.Next));
            Assert.Contains("size limit", error.Message, StringComparison.Ordinal);
            Assert.False(message.PassedOn);
        }
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
