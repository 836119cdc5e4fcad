using System.Buffers.Binary;
using System.Globalization;

namespace Nabla.Data;

/// <summary>An IDX array of unsigned bytes (MNIST's format) and its dimensions.</summary>
/// <param name="Data">The values, row-major.</param>
/// <param name="Shape">The dimensions, e.g. <c>[60000, 28, 28]</c>.</param>
public sealed record IdxData(byte[] Data, int[] Shape);

/// <summary>
/// Reads IDX files (gzipped when the name ends in <c>.gz</c>): a big-endian magic <c>0x0000TTDD</c>
/// with type TT = 0x08 (unsigned byte) and DD dimensions, the dimensions as big-endian int32,
/// then the bytes — exactly as many as the dimensions say: a file that ends early or goes on after
/// them is refused (a wrong header, or two files joined), as is a truncated gzip stream.
/// </summary>
public static class Idx
{
    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The magic, type or length is wrong; names the file.</exception>
    public static IdxData Read(string path)
    {
        using var stream = DataFile.OpenRead(path, "IDX file");
        return Read(stream, path);
    }

    /// <summary>Reads an IDX array from <paramref name="stream"/> (already decompressed); <paramref name="name"/> starts every message.</summary>
    /// <exception cref="DataFormatException">The magic, type or length is wrong.</exception>
    internal static IdxData Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> word = stackalloc byte[4];
        ReadExactly(stream, word, name, "the magic number");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(word);
        if ((magic >> 16) != 0 || ((magic >> 8) & 0xFF) != 0x08)
            throw new DataFormatException($"{name}: magic number 0x{magic:X8} is not an IDX unsigned-byte array (0x0000080D, D = number of dimensions)");
        int rank = (int)(magic & 0xFF);
        if (rank is < 1 or > 8) throw new DataFormatException($"{name}: IDX rank {rank} is outside 1..8");
        var shape = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(stream, word, name, $"dimension {i}");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (shape[i] < 0) throw new DataFormatException($"{name}: dimension {i} is negative ({shape[i]})");
            total = total > Array.MaxLength ? total : total * shape[i];
        }
        if (total > Array.MaxLength)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: the dimensions [{string.Join(", ", shape)}] make more values than one array holds ({Array.MaxLength:N0})"));
        var data = ReadData(stream, (int)total, name);
        int extra = 0;
        Span<byte> rest = stackalloc byte[4096];
        int n;
        while ((n = stream.Read(rest)) > 0) extra += n;
        if (extra > 0)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {extra:N0} bytes follow the {total:N0} data bytes that the dimensions [{string.Join(", ", shape)}] describe (a wrong header, or two files joined?)"));
        return new IdxData(data, shape);
    }

    // Reads `count` bytes into one array of that size when the stream can hold them (DataFile.RemainingBound), else
    // grows the buffer as they arrive, so a header that claims gigabytes in a small file costs no more memory than the
    // file has. (Always growing from 1 MiB cost a 60,000-image file 63 MB of discarded arrays and 33 MiB of peak RSS.)
    private static byte[] ReadData(Stream stream, int count, string name)
    {
        var data = new byte[count <= DataFile.RemainingBound(stream) ? count : Math.Min(count, 1 << 20)];
        int filled = 0;
        while (filled < count)
        {
            if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
            int n = ReadSome(stream, data.AsSpan(filled), name);
            if (n == 0)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: file ends after {filled:N0} of the {count:N0} data bytes its dimensions describe"));
            filled += n;
        }
        return data;
    }

    private static int ReadSome(Stream s, Span<byte> buffer, string name)
    {
        try
        {
            return s.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{name}: not a valid gzip file ({e.Message})", e);
        }
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string name, string what)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = ReadSome(s, buffer[filled..], name);
            if (n == 0) throw new DataFormatException($"{name}: file ends before {what}");
            filled += n;
        }
    }
}
