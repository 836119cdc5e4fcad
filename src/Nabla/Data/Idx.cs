using System.Buffers.Binary;
using System.IO.Compression;

namespace Nabla.Data;

/// <summary>An IDX array of unsigned bytes (MNIST's format) and its dimensions.</summary>
/// <param name="Data">The values, row-major.</param>
/// <param name="Shape">The dimensions, e.g. <c>[60000, 28, 28]</c>.</param>
public sealed record IdxData(byte[] Data, int[] Shape);

/// <summary>
/// Reads IDX files (gzipped when the name ends in <c>.gz</c>): a big-endian magic <c>0x0000TTDD</c>
/// with type TT = 0x08 (unsigned byte) and DD dimensions, the dimensions as big-endian int32,
/// then the bytes. Images are <c>0x00000803</c>, labels <c>0x00000801</c>.
/// </summary>
public static class Idx
{
    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The magic, type or length is wrong; names the file.</exception>
    public static IdxData Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        Span<byte> word = stackalloc byte[4];
        ReadExactly(stream, word, path, "the magic number");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(word);
        if ((magic >> 16) != 0 || ((magic >> 8) & 0xFF) != 0x08)
            throw new DataFormatException($"{path}: magic number 0x{magic:X8} is not an IDX unsigned-byte array (0x0000080D)");
        int rank = (int)(magic & 0xFF);
        if (rank is < 1 or > 8) throw new DataFormatException($"{path}: IDX rank {rank} is outside 1..8");
        var shape = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(stream, word, path, $"dimension {i}");
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            if (shape[i] < 0) throw new DataFormatException($"{path}: dimension {i} is negative ({shape[i]})");
            total *= shape[i];
        }
        if (total > Array.MaxLength) throw new DataFormatException($"{path}: {total} values are too many for one array");
        var data = new byte[total];
        ReadExactly(stream, data, path, $"{total} data bytes");
        return new IdxData(data, shape);
    }

    private static void ReadExactly(Stream s, Span<byte> buffer, string path, string what)
    {
        try
        {
            s.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException($"{path}: file ends before {what}", e);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: not a valid gzip file ({e.Message})", e);
        }
    }
}
