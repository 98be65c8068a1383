using Extensible.Host;

return await CommandLine.RunAsync(args);
