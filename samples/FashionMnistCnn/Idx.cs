using System.Buffers.Binary;
using System.IO.Compression;

namespace FashionMnistCnn;

/// <summary>
/// A minimal reader for gzipped IDX files (big-endian int32 magic and sizes, then unsigned bytes),
/// kept in the sample until the library's IDX reader is on main.
/// </summary>
internal static class Idx
{
    /// <summary>Images as floats scaled to [0, 1], row-major [count, rows·cols].</summary>
    public static float[] ReadImages(string path, out int count, out int rows, out int cols)
    {
        var bytes = ReadAll(path);
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x803) throw new InvalidDataException($"{path}: not an IDX3 image file");
        count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        rows = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        cols = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        var result = new float[count * rows * cols];
        if (bytes.Length < 16 + result.Length) throw new InvalidDataException($"{path}: truncated, {bytes.Length} bytes");
        for (int i = 0; i < result.Length; i++) result[i] = bytes[16 + i] / 255f;
        return result;
    }

    /// <summary>Labels as bytes.</summary>
    public static byte[] ReadLabels(string path)
    {
        var bytes = ReadAll(path);
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != 0x801) throw new InvalidDataException($"{path}: not an IDX1 label file");
        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        return bytes.AsSpan(8, count).ToArray();
    }

    private static byte[] ReadAll(string path)
    {
        using var file = File.OpenRead(path);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return memory.ToArray();
    }
}
