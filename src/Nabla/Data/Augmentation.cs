using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Cheap, seeded image augmentation applied in place to an NCHW batch: random horizontal flip and
/// random shift (zero-pad by <see cref="MaxShift"/> then crop back to the original size at a
/// random offset, as <c>RandomCrop(size, padding)</c> in torchvision). Both are off by default.
/// </summary>
/// <example><code>
/// var augment = new Augmentation(new Rng(1)) { HorizontalFlip = true, MaxShift = 2 };
/// augment.Apply(batch);   // before the forward pass of each training step
/// </code></example>
public sealed class Augmentation
{
    private readonly Rng _rng;
    private float[] _plane = [];

    /// <summary>An augmenter drawing its choices from <paramref name="rng"/>.</summary>
    /// <param name="rng">Seeded source of the per-image choices.</param>
    public Augmentation(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        _rng = rng;
    }

    /// <summary>Flip each image left-right with probability 1/2.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>Largest shift in pixels along each axis (the crop padding); 0 disables shifting.</summary>
    public int MaxShift
    {
        get;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>
    /// Augments every image of <paramref name="batch"/> [N, C, H, W] in place; all channels of an
    /// image get the same flip and shift. A shift (dy, dx) drawn uniformly from [−s, s]² gives
    /// out[y, x] = in[y + dy, x + dx], zero outside the image.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The batch is not a contiguous 4-D tensor.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Rank != 4 || !batch.IsContiguous)
            throw new ShapeMismatchException($"augmentation expects a contiguous [N, C, H, W] batch, got shape {batch.Shape}");
        if (!HorizontalFlip && MaxShift == 0) return;
        int n = batch.Shape[0], c = batch.Shape[1], h = batch.Shape[2], w = batch.Shape[3];
        var data = batch.AsSpan();
        if (_plane.Length < h * w) _plane = new float[h * w];
        for (int i = 0; i < n; i++)
        {
            bool flip = HorizontalFlip && (_rng.NextUInt64() & 1) == 1;
            int dy = 0, dx = 0;
            if (MaxShift > 0)
            {
                dy = _rng.NextInt(2 * MaxShift + 1) - MaxShift;
                dx = _rng.NextInt(2 * MaxShift + 1) - MaxShift;
            }
            for (int ch = 0; ch < c; ch++)
            {
                var plane = data.Slice((i * c + ch) * h * w, h * w);
                if (flip)
                    for (int y = 0; y < h; y++) plane.Slice(y * w, w).Reverse();
                if (dy != 0 || dx != 0) Shift(plane, h, w, dy, dx);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Shift(Span<float> plane, int h, int w, int dy, int dx)
    {
        var src = _plane.AsSpan(0, h * w);
        plane.CopyTo(src);
        plane.Clear();
        int x0 = Math.Max(0, -dx), x1 = Math.Min(w, w - dx);
        if (x1 <= x0) return;
        for (int y = Math.Max(0, -dy); y < Math.Min(h, h - dy); y++)
            src.Slice((y + dy) * w + x0 + dx, x1 - x0).CopyTo(plane.Slice(y * w + x0, x1 - x0));
    }
}
