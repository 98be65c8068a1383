using Extensible.Hosting.Configuration;
using Extensible.Hosting.Networking;

namespace Extensible.Hosting.Runtime;

/// <summary>What every plugin runtime shares: configuration, logging, the contract registry and TLS certificates.</summary>
/// <param name="Configuration">The loaded configuration.</param>
/// <param name="Server">The <c>Server</c> section, paths resolved.</param>
/// <param name="Logger">The root logger.</param>
/// <param name="Registry">Contract providers.</param>
/// <param name="Certificates">TLS certificates.</param>
/// <param name="AdminMode">True when running an admin command: plugins are composed but not started.</param>
public sealed record HostServices(HostConfiguration Configuration, ServerOptions Server, Serilog.ILogger Logger, ServiceRegistry Registry, TlsCertificateProvider Certificates, bool AdminMode);
