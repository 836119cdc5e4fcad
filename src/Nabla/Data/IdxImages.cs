using System.Globalization;

namespace Nabla.Data;

/// <summary>Builds an <see cref="ImageDataset"/> from an IDX image file and an IDX label file (MNIST, Fashion-MNIST).</summary>
public static class IdxImages
{
    /// <summary>Loads images <c>[N, H, W]</c> and labels <c>[N]</c>; samples are <c>[H·W]</c> when <paramref name="flatten"/>, else <c>[1, H, W]</c>.</summary>
    /// <param name="imagesPath">IDX3 images (magic 0x803), optionally gzipped.</param>
    /// <param name="labelsPath">IDX1 labels (magic 0x801); null for an autoencoder dataset whose targets are the images.</param>
    /// <param name="flatten">Give each sample as a vector.</param>
    /// <param name="limit">Keep only the first this-many images (all when null).</param>
    /// <exception cref="DataFormatException">The files have the wrong ranks, no images, empty images or different counts; names the file.</exception>
    public static ImageDataset Load(string imagesPath, string? labelsPath, bool flatten = true, int? limit = null)
    {
        var images = Idx.Read(imagesPath);
        if (images.Shape.Length != 3)
            throw new DataFormatException($"{imagesPath}: expected images [N, H, W], got rank {images.Shape.Length} [{string.Join(", ", images.Shape)}]");
        int n = images.Shape[0], h = images.Shape[1], w = images.Shape[2];
        if (n == 0) throw new DataFormatException($"{imagesPath}: the IDX file has no images (its dimensions are [0, {h}, {w}])");
        if (h == 0 || w == 0) throw new DataFormatException($"{imagesPath}: the images are {h}×{w} pixels");
        byte[]? labels = null;
        if (labelsPath is not null)
        {
            var l = Idx.Read(labelsPath);
            if (l.Shape.Length != 1)
                throw new DataFormatException($"{labelsPath}: expected labels [N], got rank {l.Shape.Length} [{string.Join(", ", l.Shape)}]");
            if (l.Shape[0] != n)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{labelsPath}: {l.Shape[0]:N0} labels for the {n:N0} images of {imagesPath}"));
            labels = l.Data;
        }
        int keep = Math.Min(n, limit ?? n);
        var pixels = keep == n ? images.Data : images.Data[..(keep * h * w)];
        if (labels is not null && keep != n) labels = labels[..keep];
        return new ImageDataset(pixels, flatten ? [h * w] : [1, h, w], labels);
    }
}
