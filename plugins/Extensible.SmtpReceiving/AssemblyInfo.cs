using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Extensible.Smtp.Tests")]
