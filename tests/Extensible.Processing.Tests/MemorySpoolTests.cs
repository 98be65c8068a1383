using System.Text;
using Extensible.Processing.Spool;
using Extensible.Processing.Tests.Support;

namespace Extensible.Processing.Tests;

/// <summary>Small submissions stay in memory within the budget; larger ones, or any past the budget, go to a spool file; all arrive intact.</summary>
public sealed class MemorySpoolTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(64 * 1024, 64L * 1024 * 1024)] // 4 KB in memory, 200 KB spooled to a file
    [InlineData(64 * 1024, 0L)]                // no budget: everything spooled to files
    [InlineData(0, 64L * 1024 * 1024)]         // no memory threshold: everything spooled to files
    public async Task Messages_are_delivered_byte_exact_and_no_spool_file_or_budget_is_left(int threshold, long limit)
    {
        var options = EngineHarness.FastOptions();
        options.MemorySpoolThreshold = threshold;
        options.MemorySpoolLimit = limit;
        await using var harness = await EngineHarness.StartAsync(options);
        var small = EngineHarness.Message("small");
        var large = EngineHarness.Message("large", "X-Padding: " + new string('p', 900) + "\r\n");
        large = [.. large, .. Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(new string('b', 998) + "\r\n", 200)))];

        Assert.True((await harness.SubmitAsync(EngineHarness.Envelope("s@example.test", "alice@example.test"), small)).Taken);
        Assert.True((await harness.SubmitAsync(EngineHarness.Envelope("s@example.test", "bob@example.test"), large)).Taken);
        await harness.WaitForEmptyQueueAsync();

        Assert.Equal(small, Assert.Single(harness.Store.For("alice@example.test")));
        Assert.Equal(large, Assert.Single(harness.Store.For("bob@example.test")));
        Assert.Empty(Directory.GetFiles(harness.Engine.Database.TempDirectory));
    }

    [Fact]
    public async Task Content_read_from_an_unseekable_stream_is_kept_whole_and_the_budget_is_returned()
    {
        var budget = new MemorySpoolBudget(1024 * 1024);
        var bytes = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef", 4096))); // 64 KiB exactly
        var path = Path.Combine(Path.GetTempPath(), "spool-" + Guid.NewGuid().ToString("N"));
        using (var content = await MessageContent.ReadAsync(new UnseekableStream(bytes), path, 64 * 1024, budget, Token))
        {
            Assert.NotNull(content.Bytes);
            Assert.Equal(bytes, content.Bytes);
            Assert.Equal(bytes.Length, budget.Used);
        }

        Assert.Equal(0, budget.Used);
        byte[] longer = [.. bytes, (byte)'!'];
        using (var content = await MessageContent.ReadAsync(new UnseekableStream(longer), path, 64 * 1024, budget, Token))
        {
            Assert.Null(content.Bytes);
            Assert.Equal(longer.Length, content.Size);
            var spooled = await File.ReadAllBytesAsync(content.SpoolPath!, Token);
            Assert.Equal(longer, spooled);
        }

        Assert.False(File.Exists(path));
        Assert.Equal(0, budget.Used);
    }

    /// <summary>A stream that only reads, a few bytes at a time, like a network stream.</summary>
    private sealed class UnseekableStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 1000), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
