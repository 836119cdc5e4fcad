namespace Nabla.Tests.IO;

/// <summary>A write-only stream that fails after a number of bytes, like a disk filling up or a crash mid-save.</summary>
internal sealed class FailingStream(Stream inner, long limit) : Stream
{
    private long _written;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_written + buffer.Length > limit) throw new IOException("simulated failure midway through the save");
        inner.Write(buffer);
        _written += buffer.Length;
    }
}
