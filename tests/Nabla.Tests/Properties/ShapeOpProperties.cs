using CsCheck;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Properties;

/// <summary>Views over random shapes (CsCheck): permutations and reshapes move elements exactly as an index reference says, and undo.</summary>
public sealed class ShapeOpProperties
{
    private static readonly Gen<(int[] Dims, int[] Order, int Seed)> Cases =
        from dims in Gen.Int[1, 4].Array[1, 5]
        from keys in Gen.Int.Array[dims.Length]
        from seed in Gen.Int[0, 1_000_000]
        select (dims, Enumerable.Range(0, dims.Length).OrderBy(i => keys[i]).ThenBy(i => i).ToArray(), seed);

    private static int[] Strides(int[] dims)
    {
        var s = new int[dims.Length];
        for (int k = dims.Length - 1, p = 1; k >= 0; p *= dims[k], k--) s[k] = p;
        return s;
    }

    [Fact]
    public void Permute_moves_each_element_to_its_permuted_index_and_the_inverse_permutation_restores_it()
    {
        Cases.Sample(c =>
        {
            var x = Tensor.Randn(new Shape(c.Dims), new Rng((ulong)c.Seed));
            var p = x.Permute(c.Order);
            int[] pDims = [.. c.Order.Select(o => c.Dims[o])];
            Assert.Equal(pDims, p.Shape.ToArray());
            var values = x.ToArray();
            var permuted = p.Contiguous().ToArray();
            int[] xs = Strides(c.Dims), ps = Strides(pDims);
            for (int flat = 0; flat < values.Length; flat++)
            {
                int target = 0;
                for (int k = 0; k < pDims.Length; k++) target += (flat / xs[c.Order[k]] % c.Dims[c.Order[k]]) * ps[k];
                Assert.Equal(values[flat], permuted[target]);
            }
            var inverse = new int[c.Order.Length];
            for (int k = 0; k < c.Order.Length; k++) inverse[c.Order[k]] = k;
            Assert.Equal(values, p.Permute(inverse).Contiguous().ToArray());
            Assert.Equal(values, p.Contiguous().Permute(inverse).Contiguous().ToArray());
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void Transposing_twice_and_reshaping_there_and_back_are_identities()
    {
        Cases.Sample(c =>
        {
            var x = Tensor.Randn(new Shape(c.Dims), new Rng((ulong)c.Seed));
            var values = x.ToArray();
            int a = c.Order[0], b = c.Order[^1];
            Assert.Equal(values, x.Transpose(a, b).Transpose(a, b).Contiguous().ToArray());
            var flat = x.Reshape(values.Length);
            Assert.Equal(values, flat.ToArray());
            Assert.Equal(c.Dims, flat.Reshape(c.Dims).Shape.ToArray());
            // A copy of a view holds the same elements, only in another order.
            Assert.Equal(values.Order(), x.Permute(c.Order).Contiguous().ToArray().Order());
        }, iter: 300, threads: 1);
    }
}
