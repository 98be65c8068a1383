using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Extensible.Smtp.Tests")]
[assembly: InternalsVisibleTo("Extensible.Bench.Smtp")]
