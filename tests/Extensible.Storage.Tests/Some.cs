using System.Text;

namespace Extensible.Storage.Tests;

/// <summary>Test data.</summary>
internal static class Some
{
    public static MemoryStream Message(string subject = "hello", int bodyBytes = 100)
    {
        var text = $"From: a@example.test\r\nTo: b@example.test\r\nSubject: {subject}\r\n\r\n" + new string('x', bodyBytes) + "\r\n";
        return new MemoryStream(Encoding.ASCII.GetBytes(text));
    }

    public static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            return copy.ToArray();
        }
    }
}
