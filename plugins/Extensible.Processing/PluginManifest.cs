using Extensible.Sdk.Plugins;

[assembly: MailPlugin("processing", DisplayName = "Processing: filter chain, durable queue, routing and delivery reports")]
