using Extensible.Sdk.Plugins;

[assembly: MailPlugin("imap", DisplayName = "IMAP4rev1/IMAP4rev2 service")]
