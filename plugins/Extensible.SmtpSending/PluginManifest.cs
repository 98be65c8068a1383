using Extensible.Sdk.Plugins;

[assembly: MailPlugin("smtp-sending", DisplayName = "SMTP Sending (remote delivery)")]
