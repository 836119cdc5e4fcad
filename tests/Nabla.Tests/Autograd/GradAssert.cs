using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>Helpers shared by the gradient-check tests.</summary>
internal static class GradAssert
{
    /// <summary>Runs <see cref="GradCheck"/> and fails with its message.</summary>
    public static void Passes(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var result = GradCheck.Run(f, inputs);
        Assert.True(result.Passed, result.Failure);
    }

    /// <summary>A leaf that requires grad with normal values scaled by <paramref name="scale"/>.</summary>
    public static Tensor Param(Rng rng, float scale, params int[] shape)
    {
        var t = Tensor.Randn(new Shape(shape), rng) * scale;
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Random shapes of the given rank with sizes from {1, 2, 3, 5, 7}.</summary>
    public static IEnumerable<int[]> Shapes(Rng rng, int rank, int count)
    {
        int[] sizes = [1, 2, 3, 5, 7];
        for (int c = 0; c < count; c++)
        {
            var s = new int[rank];
            for (int i = 0; i < rank; i++) s[i] = sizes[rng.NextInt(sizes.Length)];
            yield return s;
        }
    }

    /// <summary>Values kept at least <paramref name="gap"/> away from <paramref name="kink"/> so finite differences do not straddle it.</summary>
    public static Tensor AwayFrom(Tensor t, float kink, float gap)
    {
        var s = t.AsSpan();
        for (int i = 0; i < s.Length; i++)
            if (MathF.Abs(s[i] - kink) < gap) s[i] = s[i] >= kink ? kink + gap : kink - gap;
        return t;
    }
}
