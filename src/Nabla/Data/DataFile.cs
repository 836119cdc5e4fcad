using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Nabla.Data;

/// <summary>
/// Opens data files for the readers (CSV, IDX), decompressing names ending in <c>.gz</c>, with
/// every failure reported as one error that names the file: a missing file, a folder given as a
/// file, a <c>.gz</c> file that is not gzip, and a gzip stream that ends early. .NET's
/// <see cref="GZipStream"/> returns a truncated stream's bytes as if they were all of it; here the
/// decompressed bytes are checked against the gzip trailer (CRC-32 and length, RFC 1952), so a
/// file cut short is an error as with <c>zcat</c>.
/// </summary>
internal static class DataFile
{
    /// <summary>Opens <paramref name="path"/> (decompressed when it ends in <c>.gz</c>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file should hold, for messages (<c>data file</c>, <c>IDX file</c>).</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="DataSpecException">The path is a folder.</exception>
    /// <exception cref="DataFormatException">Reading a <c>.gz</c> file finds it is not gzip or is truncated.</exception>
    public static Stream OpenRead(string path, string what = "data file")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new DataSpecException($"the {what} name is empty");
        if (Directory.Exists(path)) throw new DataSpecException($"{path}: is a folder, not a file");
        if (!File.Exists(path)) throw new FileNotFoundException($"{what} not found: {path}", path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        if (!IsGzipName(path)) return file;
        try
        {
            return new CheckedGzipStream(file, path, leaveOpen: false);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Every line of <paramref name="path"/> (decompressed when it ends in <c>.gz</c>), for readers whose
    /// records are lines rather than RFC 4180 records (node files and edge lists, whose text columns keep
    /// their quotes as written).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="DataFormatException">A <c>.gz</c> file is not gzip or is truncated.</exception>
    public static List<string> ReadLines(string path, string what = "data file")
    {
        using var stream = OpenRead(path, what);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    /// <summary>True for names ending in <c>.gz</c> (any case).</summary>
    public static bool IsGzipName(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// An upper bound on the bytes <paramref name="stream"/> can still give that a reader may allocate up front: the
    /// rest of a seekable file, or <see cref="CheckedGzipStream.LengthHint"/> for a gzip file; <see cref="long.MaxValue"/>
    /// when nothing is known. Readers take min(claimed, bound) so a header claiming gigabytes in a small file costs no
    /// more memory than the file can hold, while an honest file is read into one array of its exact size.
    /// </summary>
    public static long RemainingBound(Stream stream) => stream switch
    {
        CheckedGzipStream gzip => gzip.LengthHint - gzip.Position,
        { CanSeek: true } => stream.Length - stream.Position,
        _ => long.MaxValue,
    };
}

/// <summary>
/// A gzip decompressing stream over a seekable source that, at the end, checks the decompressed
/// bytes against the trailer: the last 8 bytes of the source hold the CRC-32 and the length
/// (mod 2³²) of the last gzip member's data. For a single member that is all the data; for
/// concatenated members (<c>cat a.gz b.gz</c>), whose earlier trailers zlib checks itself, the last
/// member is the final <c>length</c> bytes, checked in a second pass. Errors name the file.
/// </summary>
internal sealed class CheckedGzipStream : Stream
{
    private readonly Stream _source;
    private readonly string _name;
    private readonly bool _leaveOpen;
    private readonly GZipStream _gzip;
    private Crc32 _crc = new();
    private long _total;
    private bool _ended;

    /// <summary>Wraps <paramref name="source"/>, which must be seekable and positioned at the gzip header.</summary>
    /// <exception cref="DataFormatException">The source does not start with the gzip signature.</exception>
    public CheckedGzipStream(Stream source, string name, bool leaveOpen)
    {
        _source = source;
        _name = name;
        _leaveOpen = leaveOpen;
        long start = source.Position;
        Span<byte> magic = stackalloc byte[2];
        int read = source.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        if (read < 2 || magic[0] != 0x1F || magic[1] != 0x8B)
            throw new DataFormatException(read == 0
                ? $"{name}: not a valid gzip file: it is empty"
                : $"{name}: not a valid gzip file: it does not start with the gzip signature 1F 8B (a .gz name needs gzip-compressed content)");
        LengthHint = ReadLengthHint(source);
        source.Position = start;
        _gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
    }

    /// <summary>
    /// How many bytes the stream will plausibly give in all: the trailer's length of the last member (all of the data
    /// for a single-member file below 4 GiB), capped at 1,032 times the compressed size (deflate's largest expansion),
    /// so a forged trailer cannot claim more than the file could hold. Only a hint for sizing buffers: the bytes
    /// themselves are checked against the trailer at the end.
    /// </summary>
    public long LengthHint { get; }

    private static long ReadLengthHint(Stream source)
    {
        long length = source.Length;
        if (length < 18) return 0;
        Span<byte> size = stackalloc byte[4];
        source.Position = length - 4;
        source.ReadExactly(size);
        return Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(size), 1032 * length);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _total; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_ended || buffer.IsEmpty) return 0;
        int n;
        try
        {
            n = _gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{_name}: not a valid gzip file ({e.Message})", e);
        }
        if (n == 0)
        {
            _ended = true;
            CheckTrailer();
            return 0;
        }
        _crc.Append(buffer[..n]);
        _total += n;
        return n;
    }

    private void CheckTrailer()
    {
        long length = _source.Length;
        if (length < 18) throw Truncated();
        Span<byte> trailer = stackalloc byte[8];
        _source.Position = length - 8;
        _source.ReadExactly(trailer);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        if ((uint)_total == size && _crc.Value == crc) return;
        if (_total > size && LastMemberCrc(_total - size) == crc) return;
        throw Truncated();
    }

    // The CRC-32 of the decompressed bytes after the first `skip`: the data of the last member when
    // the file holds several.
    private uint LastMemberCrc(long skip)
    {
        _source.Position = 0;
        using var again = new GZipStream(_source, CompressionMode.Decompress, leaveOpen: true);
        var buffer = new byte[1 << 16];
        var crc = new Crc32();
        long seen = 0;
        int n;
        while ((n = again.Read(buffer)) > 0)
        {
            int from = (int)Math.Clamp(skip - seen, 0, n);
            crc.Append(buffer.AsSpan(from, n - from));
            seen += n;
        }
        return crc.Value;
    }

    private DataFormatException Truncated() => new(string.Create(CultureInfo.InvariantCulture,
        $"{_name}: the gzip data is truncated: the stream ends after {_total:N0} bytes without a matching gzip trailer (the file was cut short, is still being written, or has bytes after its gzip data)"));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
            if (!_leaveOpen) _source.Dispose();
        }
        base.Dispose(disposing);
    }
}
