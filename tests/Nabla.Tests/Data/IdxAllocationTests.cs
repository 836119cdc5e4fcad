using System.Buffers.Binary;
using System.IO.Compression;
using Nabla.Data;

namespace Nabla.Tests.Data;

/// <summary>
/// <see cref="Idx.Read(string)"/> reads an honest file into one array of its size (growing from 1 MiB cost a 60,000-image
/// file 63 MB of discarded arrays), and a forged size still costs no more than the file could hold.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public sealed class IdxAllocationTests : IDisposable
{
    private const int DataBytes = 12 << 20;
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] IdxBytes(int claimed, int data)
    {
        var bytes = new byte[8 + data];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), claimed);
        for (int i = 0; i < data; i++) bytes[8 + i] = (byte)(i * 7 % 251);
        return bytes;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(bytes);
        return ms.ToArray();
    }

    private static long Allocated(Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        read();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [InlineData("data.idx")]
    [InlineData("data.idx.gz")]
    public void An_honest_file_is_read_into_one_array_of_its_size(string name)
    {
        string path = Path.Combine(_dir, name);
        var raw = IdxBytes(DataBytes, DataBytes);
        File.WriteAllBytes(path, name.EndsWith(".gz", StringComparison.Ordinal) ? Gzip(raw) : raw);
        IdxData? read = null;
        long bytes = Allocated(() => read = Idx.Read(path));
        Assert.Equal(raw.AsSpan(8).ToArray(), read!.Data);
        Assert.InRange(bytes, DataBytes, DataBytes + (1 << 20));
    }

    [Fact]
    public void A_forged_gzip_trailer_cannot_make_a_small_file_allocate_its_claim()
    {
        // The header claims 200 MB, the file holds 10 data bytes, and the trailer's length is forged to 4 GiB − 1:
        // the hint is capped at deflate's largest expansion of the compressed size, so the reader starts at 1 MiB.
        var gz = Gzip(IdxBytes(200_000_000, 10));
        BinaryPrimitives.WriteUInt32LittleEndian(gz.AsSpan(gz.Length - 4), uint.MaxValue);
        string path = Path.Combine(_dir, "forged.idx.gz");
        File.WriteAllBytes(path, gz);
        long bytes = Allocated(() => Assert.Throws<DataFormatException>(() => Idx.Read(path)));
        Assert.InRange(bytes, 0, 3 << 20);
    }
}
