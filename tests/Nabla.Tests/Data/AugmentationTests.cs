using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tests.Data;

public class AugmentationTests
{
    [Fact]
    public void Default_augmentation_leaves_the_batch_unchanged()
    {
        var x = Tensor.Randn(new Shape(3, 2, 4, 5), new Rng(1));
        var before = x.ToArray();
        new Augmentation(new Rng(2)).Apply(x);
        Assert.Equal(before, x.ToArray());
    }

    [Fact]
    public void Flip_reverses_rows_of_some_images_and_keeps_the_others_with_all_channels_alike()
    {
        int n = 32;
        var x = Tensor.Randn(new Shape(n, 2, 3, 4), new Rng(3));
        var before = x.ToArray();
        new Augmentation(new Rng(4)) { HorizontalFlip = true }.Apply(x);
        var after = x.ToArray();
        int flipped = 0;
        for (int i = 0; i < n; i++)
        {
            bool isFlipped = after[i * 24] == before[i * 24 + 3];
            if (isFlipped) flipped++;
            for (int ch = 0; ch < 2; ch++)
                for (int y = 0; y < 3; y++)
                    for (int c = 0; c < 4; c++)
                    {
                        int at = ((i * 2 + ch) * 3 + y) * 4;
                        Assert.Equal(before[at + (isFlipped ? 3 - c : c)], after[at + c]);
                    }
        }
        Assert.InRange(flipped, 8, 24);
    }

    [Fact]
    public void Shift_moves_content_by_at_most_the_padding_and_fills_zeros()
    {
        var x = Tensor.Zeros(64, 1, 5, 5);
        var data = x.AsSpan();
        for (int i = 0; i < 64; i++) data[i * 25 + 12] = 1f; // a dot in the centre
        new Augmentation(new Rng(5)) { MaxShift = 2 }.Apply(x);
        var seen = new HashSet<int>();
        for (int i = 0; i < 64; i++)
        {
            var img = x.AsSpan().Slice(i * 25, 25);
            int at = img.IndexOf(1f);
            Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Sum(img));
            seen.Add(at);
        }
        Assert.True(seen.Count > 10, $"only {seen.Count} distinct positions");
    }

    [Fact]
    public void Same_seed_gives_the_same_augmentation()
    {
        var a = Tensor.Randn(new Shape(8, 3, 6, 6), new Rng(6));
        var b = Tensor.FromArray(a.ToArray(), 8, 3, 6, 6);
        new Augmentation(new Rng(7)) { HorizontalFlip = true, MaxShift = 3 }.Apply(a);
        new Augmentation(new Rng(7)) { HorizontalFlip = true, MaxShift = 3 }.Apply(b);
        Assert.Equal(a.ToArray(), b.ToArray());
    }
}
