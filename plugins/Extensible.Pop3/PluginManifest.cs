using Extensible.Sdk.Plugins;

[assembly: MailPlugin("pop3", DisplayName = "POP3 (RFC 1939, STLS, SASL)")]
