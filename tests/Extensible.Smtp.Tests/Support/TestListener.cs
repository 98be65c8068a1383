using System.Net;
using Extensible.Sdk.Connections;
using Extensible.SmtpReceiving;

namespace Extensible.Smtp.Tests.Support;

/// <summary>A listener description whose options are given by the test.</summary>
internal sealed class TestListener(string name, EndPoint endPoint, bool implicitTls, SmtpListenerOptions options) : ListenerInfo
{
    public override string Name { get; } = name;

    public override EndPoint BoundEndPoint { get; } = endPoint;

    public override bool ImplicitTls { get; } = implicitTls;

    public override bool TlsAvailable => true;

    public override TOptions GetOptions<TOptions>() =>
        options as TOptions ?? throw new InvalidOperationException("Only SmtpListenerOptions are bound in tests.");
}
