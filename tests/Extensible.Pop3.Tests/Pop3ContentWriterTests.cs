using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Extensible.Pop3.Protocol;

namespace Extensible.Pop3.Tests;

public class Pop3ContentWriterTests
{
    [Theory]
    [InlineData("A: b\r\n\r\nbody\r\n", "A: b\r\n\r\nbody\r\n.\r\n")]
    [InlineData("A: b\r\n\r\nno final newline", "A: b\r\n\r\nno final newline\r\n.\r\n")]
    [InlineData("A: b\r\n\r\n.starts with dot\r\n..two\r\n.\r\n", "A: b\r\n\r\n..starts with dot\r\n...two\r\n..\r\n.\r\n")]
    [InlineData("A: b\n\nbare\nLF\n", "A: b\r\n\r\nbare\r\nLF\r\n.\r\n")]
    [InlineData("", ".\r\n")]
    public async Task WritesDotStuffedCrlfBody(string message, string expected)
    {
        // Every chunk size, so dots and CRLFs split across reads are covered.
        for (var chunk = 1; chunk <= message.Length + 1; chunk++)
        {
            Assert.Equal(expected, await WriteAsync(message, -1, chunk));
        }
    }

    [Theory]
    [InlineData(0, "H: 1\r\nH: 2\r\n\r\n.\r\n")]
    [InlineData(1, "H: 1\r\nH: 2\r\n\r\nline1\r\n.\r\n")]
    [InlineData(2, "H: 1\r\nH: 2\r\n\r\nline1\r\n..line2\r\n.\r\n")]
    [InlineData(10, "H: 1\r\nH: 2\r\n\r\nline1\r\n..line2\r\nline3\r\n.\r\n")]
    public async Task TopCutsAfterTheRequestedBodyLines(int lines, string expected)
    {
        const string message = "H: 1\r\nH: 2\r\n\r\nline1\r\n.line2\r\nline3";
        for (var chunk = 1; chunk <= message.Length; chunk++)
        {
            Assert.Equal(expected, await WriteAsync(message, lines, chunk));
        }
    }

    [Fact]
    public async Task TopOfAMessageWithoutBodySendsTheHeaders()
    {
        Assert.Equal("H: 1\r\n.\r\n", await WriteAsync("H: 1", 5, 3));
    }

    [Fact]
    public async Task EightBitBytesPassUnchanged()
    {
        var bytes = new byte[] { (byte)'S', 0xE9, 0xFF, 0x80, (byte)'\r', (byte)'\n' };
        var pipe = new Pipe();
        var writer = new Pop3ContentWriter(pipe.Writer);
        writer.Write(bytes);
        writer.Complete();
        await pipe.Writer.CompleteAsync();
        var result = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal([.. bytes, (byte)'.', (byte)'\r', (byte)'\n'], result.Buffer.ToArray());
    }

    private static async Task<string> WriteAsync(string message, int lines, int chunk)
    {
        var bytes = Encoding.Latin1.GetBytes(message);
        var pipe = new Pipe();
        var writer = new Pop3ContentWriter(pipe.Writer, lines);
        for (var i = 0; i < bytes.Length && !writer.IsDone; i += chunk)
        {
            writer.Write(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
        }

        writer.Complete();
        await pipe.Writer.CompleteAsync();
        var result = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
        while (!result.IsCompleted)
        {
            pipe.Reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
        }

        return Encoding.Latin1.GetString(result.Buffer.ToArray());
    }
}
