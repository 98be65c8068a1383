using Extensible.Sdk.Plugins;

[assembly: MailPlugin("smtp-receiving", DisplayName = "SMTP Receiving (MX, submission, SMTPS)")]
