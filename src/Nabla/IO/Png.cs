using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Nabla.IO;

/// <summary>The pixel layouts <see cref="Png"/> writes (8 bits per sample).</summary>
public enum PngColor
{
    /// <summary>One grey byte per pixel (PNG colour type 0).</summary>
    Gray = 0,

    /// <summary>Red, green, blue bytes per pixel (PNG colour type 2).</summary>
    Rgb = 2,
}

/// <summary>
/// A PNG encoder written for this project (PNG 1.2 / ISO 15948): the 8-byte signature, then chunks
/// <c>IHDR</c> (size, 8-bit depth, colour type), <c>IDAT</c> (the scanlines, each prefixed with its
/// filter byte, compressed as one zlib stream) and <c>IEND</c>; every chunk is
/// <c>length · type · data · CRC-32(type · data)</c> with big-endian integers.
/// </summary>
/// <remarks>
/// Scanlines use the "Up" filter (each byte minus the byte above it, mod 256) except the first,
/// which is unfiltered: image grids have long runs of repeated rows that this turns into zeros.
/// <see cref="ZLibStream"/> writes the zlib header, the deflate data and the Adler-32 trailer; the
/// CRC-32 (polynomial 0xEDB88320, reflected) is computed here from a 256-entry table.
/// </remarks>
public static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes row-major pixels (top row first) as a PNG file's bytes.</summary>
    /// <param name="pixels">height·width·channels bytes (1 channel for <see cref="PngColor.Gray"/>, 3 for <see cref="PngColor.Rgb"/>).</param>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    /// <param name="color">The pixel layout.</param>
    /// <exception cref="ArgumentException">A size is not positive or the pixel count does not match.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, PngColor color = PngColor.Gray)
    {
        int channels = color == PngColor.Rgb ? 3 : color == PngColor.Gray ? 1 : throw new ArgumentException($"unknown colour {color}", nameof(color));
        if (width < 1 || height < 1) throw new ArgumentException($"image size must be positive, got {width}x{height}");
        int stride = width * channels;
        if (pixels.Length != (long)stride * height)
            throw new ArgumentException($"a {width}x{height} {color} image needs {(long)stride * height} bytes, got {pixels.Length}", nameof(pixels));

        var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;              // bits per sample
        header[9] = (byte)color;    // colour type
        header[10] = 0;             // compression: deflate
        header[11] = 0;             // filter method 0 (five per-line filters)
        header[12] = 0;             // no interlace
        WriteChunk(output, "IHDR", header);

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var line = new byte[stride + 1];
            for (int y = 0; y < height; y++)
            {
                var row = pixels.Slice(y * stride, stride);
                if (y == 0)
                {
                    line[0] = 0; // None
                    row.CopyTo(line.AsSpan(1));
                }
                else
                {
                    line[0] = 2; // Up: Raw(x) − Prior(x)
                    var above = pixels.Slice((y - 1) * stride, stride);
                    for (int i = 0; i < stride; i++) line[i + 1] = (byte)(row[i] - above[i]);
                }
                zlib.Write(line);
            }
        }
        WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Writes <see cref="Encode"/>'s bytes to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <exception cref="ArgumentException">As <see cref="Encode"/>.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, ReadOnlySpan<byte> pixels, int width, int height, PngColor color = PngColor.Gray)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Encode(pixels, width, height, color);
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The CRC-32 of PNG chunks (and zip, gzip): reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0)
    {
        crc = ~crc;
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        Span<byte> name = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, name);
        output.Write(name);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(data, Crc32(name)));
        output.Write(word);
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
