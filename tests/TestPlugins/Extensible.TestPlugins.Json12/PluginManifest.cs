using Extensible.Sdk.Plugins;

[assembly: MailPlugin("json12")]
