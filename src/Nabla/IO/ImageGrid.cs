using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// Lays a batch of images out as one picture, as torchvision's <c>make_grid</c> and
/// <c>save_image</c>: <c>columns</c> images per row, <c>padding</c> pixels of <c>padValue</c>
/// around and between them, values mapped from [low, high] to bytes by ⌊255·(v − low)/(high − low) + ½⌋
/// (clamped). Images are <c>[N, C, H, W]</c> with 1 (grey) or 3 (RGB) channels, <c>[N, H, W]</c>,
/// or flattened <c>[N, D]</c> with D a square number (Fashion-MNIST's 784 = 28·28).
/// </summary>
/// <example><code>
/// ImageGrid.Save("samples.png", generated, columns: 10, low: -1f, high: 1f);   // tanh outputs
/// </code></example>
public static class ImageGrid
{
    /// <summary>The grid's pixels, row-major, with its size and colour layout.</summary>
    /// <param name="images">The batch (see the class summary for the shapes taken).</param>
    /// <param name="columns">Images per row of the grid.</param>
    /// <param name="padding">Pixels between images and around the grid.</param>
    /// <param name="low">Value shown as black.</param>
    /// <param name="high">Value shown as white.</param>
    /// <param name="padValue">Value of the padding, in the same units.</param>
    /// <exception cref="ShapeMismatchException">The batch has no image shape Nabla can read.</exception>
    public static (byte[] Pixels, int Width, int Height, PngColor Color) Render(Tensor images, int columns = 8, int padding = 2,
        float low = 0f, float high = 1f, float padValue = 0f)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (!(high > low)) throw new ArgumentException($"high ({high}) must exceed low ({low})", nameof(high));
        var (n, c, h, w) = ImageShape(images);
        int cols = Math.Min(columns, n), rows = (n + cols - 1) / cols;
        int width = padding + cols * (w + padding), height = padding + rows * (h + padding);
        var pixels = new byte[width * height * c];
        byte pad = ToByte(padValue, low, high);
        pixels.AsSpan().Fill(pad);
        var values = images.AsReadOnlySpan();
        for (int i = 0; i < n; i++)
        {
            int top = padding + i / cols * (h + padding), left = padding + i % cols * (w + padding);
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        pixels[((top + y) * width + left + x) * c + ch] = ToByte(values[((i * c + ch) * h + y) * w + x], low, high);
        }
        return (pixels, width, height, c == 3 ? PngColor.Rgb : PngColor.Gray);
    }

    /// <summary>Writes <see cref="Render"/>'s grid as a PNG file (atomically).</summary>
    /// <exception cref="ShapeMismatchException">The batch has no image shape Nabla can read.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, Tensor images, int columns = 8, int padding = 2, float low = 0f, float high = 1f, float padValue = 0f)
    {
        var (pixels, width, height, color) = Render(images, columns, padding, low, high, padValue);
        Png.Write(path, pixels, width, height, color);
    }

    /// <summary>(N, C, H, W) of a batch of images given as [N, C, H, W], [N, H, W] or [N, D] with D square.</summary>
    /// <exception cref="ShapeMismatchException">Names the shape.</exception>
    public static (int N, int C, int H, int W) ImageShape(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var s = images.Shape;
        if (s.Rank == 0 || s[0] < 1) throw new ShapeMismatchException($"an image grid needs at least one image, got shape {s}");
        switch (s.Rank)
        {
            case 4 when s[1] is 1 or 3:
                return (s[0], s[1], s[2], s[3]);
            case 4:
                throw new ShapeMismatchException($"an image grid takes 1 (grey) or 3 (RGB) channels, got shape {s}");
            case 3:
                return (s[0], 1, s[1], s[2]);
            case 2:
                int side = (int)Math.Round(Math.Sqrt(s[1]));
                if (side * side != s[1])
                    throw new ShapeMismatchException($"flattened images [N, D] need a square D to be shown as images, got shape {s}");
                return (s[0], 1, side, side);
            default:
                throw new ShapeMismatchException($"an image grid takes [N, C, H, W], [N, H, W] or [N, D], got shape {s}");
        }
    }

    private static byte ToByte(float v, float low, float high)
    {
        float scaled = (v - low) / (high - low) * 255f + 0.5f;
        return scaled >= 255f ? (byte)255 : scaled > 0f ? (byte)scaled : (byte)0;
    }
}
