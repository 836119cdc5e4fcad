using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Tests.IO;

/// <summary>
/// Decodes what <see cref="Png"/> writes with an independent reader: signature, chunk lengths and
/// types, every CRC (bitwise reference), IHDR, the zlib stream (header, inflate, Adler-32) and the
/// filtered scanlines, back to the original pixels.
/// </summary>
public class PngTests
{
    private sealed record Decoded(int Width, int Height, int ColorType, byte[] Pixels, List<string> Chunks);

    private static uint BitwiseCrc(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (byte v in data)
        {
            a = (a + v) % 65521;
            b = (b + a) % 65521;
        }
        return (b << 16) | a;
    }

    private static Decoded Decode(byte[] file)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, file[..8]);
        int pos = 8, width = 0, height = 0, colorType = -1;
        var idat = new MemoryStream();
        var chunks = new List<string>();
        while (pos < file.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(pos));
            string type = Encoding.ASCII.GetString(file, pos + 4, 4);
            var typeAndData = file[(pos + 4)..(pos + 8 + length)];
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(pos + 8 + length));
            Assert.Equal(BitwiseCrc(typeAndData), crc);
            var data = typeAndData[4..];
            chunks.Add(type);
            if (type == "IHDR")
            {
                Assert.Equal(13, length);
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
                Assert.Equal(8, data[8]);
                colorType = data[9];
                Assert.Equal(new byte[] { 0, 0, 0 }, data[10..13]);
            }
            if (type == "IDAT") idat.Write(data);
            pos += 12 + length;
        }
        Assert.Equal(file.Length, pos);
        var z = idat.ToArray();
        Assert.Equal(8, z[0] & 0x0F);                              // deflate
        Assert.Equal(0, ((z[0] << 8) | z[1]) % 31);                 // zlib header check bits
        byte[] raw;
        using (var inflate = new ZLibStream(new MemoryStream(z), CompressionMode.Decompress))
        using (var buffer = new MemoryStream())
        {
            inflate.CopyTo(buffer);
            raw = buffer.ToArray();
        }
        Assert.Equal(Adler32(raw), BinaryPrimitives.ReadUInt32BigEndian(z.AsSpan(z.Length - 4)));
        int channels = colorType == 2 ? 3 : 1, stride = width * channels;
        Assert.Equal(height * (stride + 1), raw.Length);
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            for (int i = 0; i < stride; i++)
            {
                byte v = raw[y * (stride + 1) + 1 + i];
                byte up = y > 0 ? pixels[(y - 1) * stride + i] : (byte)0;
                byte left = i >= channels ? pixels[y * stride + i - channels] : (byte)0;
                pixels[y * stride + i] = filter switch
                {
                    0 => v,
                    1 => (byte)(v + left),
                    2 => (byte)(v + up),
                    _ => throw new InvalidDataException($"filter {filter} not expected from Nabla's writer"),
                };
            }
        }
        return new Decoded(width, height, colorType, pixels, chunks);
    }

    [Theory]
    [InlineData(1, 1, PngColor.Gray)]
    [InlineData(17, 5, PngColor.Gray)]
    [InlineData(6, 9, PngColor.Rgb)]
    [InlineData(300, 200, PngColor.Rgb)]
    public void A_decoder_reads_back_the_exact_pixels_with_valid_crcs_and_adler32(int width, int height, PngColor color)
    {
        var rng = new Rng(3);
        int channels = color == PngColor.Rgb ? 3 : 1;
        var pixels = new byte[width * height * channels];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)rng.NextInt(256);
        // Some repeated rows, as in image grids.
        if (height > 2) pixels.AsSpan(0, width * channels).CopyTo(pixels.AsSpan(width * channels));
        var d = Decode(Png.Encode(pixels, width, height, color));
        Assert.Equal(["IHDR", "IDAT", "IEND"], d.Chunks);
        Assert.Equal((width, height, (int)color), (d.Width, d.Height, d.ColorType));
        Assert.Equal(pixels, d.Pixels);
    }

    [Fact]
    public void Encode_rejects_a_pixel_count_that_does_not_match_the_size()
    {
        var e = Assert.Throws<ArgumentException>(() => Png.Encode(new byte[10], 3, 3));
        Assert.Contains("3x3", e.Message);
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Png.Crc32("123456789"u8));
    }

    [Fact]
    public void A_grid_places_each_image_in_its_cell_with_padding_between()
    {
        // Three 2×3 grey images in [-1, 1], two per row, padding 1 of value -1 (black).
        var values = new float[3 * 2 * 3];
        for (int i = 0; i < 3; i++) for (int p = 0; p < 6; p++) values[i * 6 + p] = i == 0 ? 1f : i == 1 ? 0f : (p - 3) / 3f;
        var images = Tensor.FromArray(values, 3, 1, 2, 3);
        string path = Path.Combine(Path.GetTempPath(), $"nabla-grid-{Guid.NewGuid():N}.png");
        try
        {
            ImageGrid.Save(path, images, columns: 2, padding: 1, low: -1f, high: 1f, padValue: -1f);
            var d = Decode(File.ReadAllBytes(path));
            Assert.Equal((1 + 2 * (3 + 1), 1 + 2 * (2 + 1)), (d.Width, d.Height));   // 9 × 7
            byte At(int x, int y) => d.Pixels[y * d.Width + x];
            Assert.Equal(0, At(0, 0));                          // padding
            Assert.Equal(255, At(1, 1));                        // image 0 is white
            Assert.Equal(128, At(5, 2));                        // image 1: 0 → ⌊127.5 + 0.5⌋
            Assert.Equal(0, At(4, 1));                          // the gap between columns
            Assert.Equal(0, At(1, 4));                          // image 2, first pixel (−1)
            Assert.Equal(213, At(3, 5));                        // image 2, last pixel (2/3 → 5/6 of the range): ⌊212.5 + 0.5⌋
            Assert.Equal(0, At(5, 4));                          // the empty fourth cell stays padding
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_grid_reads_flattened_square_images_and_rgb_batches_and_refuses_other_shapes()
    {
        Assert.Equal((2, 1, 28, 28), ImageGrid.ImageShape(Tensor.Zeros(2, 784)));
        var (_, w, h, color) = ImageGrid.Render(Tensor.Zeros(4, 3, 5, 5), columns: 2, padding: 0);
        Assert.Equal((10, 10, PngColor.Rgb), (w, h, color));
        var e = Assert.Throws<ShapeMismatchException>(() => ImageGrid.Render(Tensor.Zeros(2, 10)));
        Assert.Contains("[2, 10]", e.Message);
    }
}
