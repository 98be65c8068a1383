using Extensible.Sdk.Plugins;

[assembly: MailPlugin("storage", DisplayName = "Storage (embedded message store and account directory)")]
