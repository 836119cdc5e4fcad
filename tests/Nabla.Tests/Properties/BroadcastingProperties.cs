using CsCheck;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Properties;

/// <summary>
/// NumPy broadcasting over random shapes (CsCheck): results match an index-by-index reference, the
/// gradient of a sum is each element's number of copies, and incompatible shapes are refused.
/// </summary>
public sealed class BroadcastingProperties
{
    // An output shape and two operands broadcast to it: each drops some leading axes and sets some sizes to 1.
    private static readonly Gen<(int[] Out, int[] A, int[] B, int Seed)> Shapes =
        from dims in Gen.Int[1, 4].Array[1, 4]
        from dropA in Gen.Int[0, dims.Length - 1]
        from dropB in Gen.Int[0, dims.Length - 1]
        from onesA in Gen.Bool.Array[dims.Length]
        from onesB in Gen.Bool.Array[dims.Length]
        from seed in Gen.Int[0, 1_000_000]
        let a = Operand(dims, dropA, onesA)
        let b = Operand(dims, dropB, onesB)
        select (Broadcast(a, b), a, b, seed);

    // NumPy's rule, written out: align on the right; each size is the other operand's where one is 1 or missing.
    private static int[] Broadcast(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int k = 0; k < rank; k++)
        {
            int i = k - (rank - a.Length), j = k - (rank - b.Length);
            result[k] = Math.Max(i >= 0 ? a[i] : 1, j >= 0 ? b[j] : 1);
        }
        return result;
    }

    private static int[] Operand(int[] dims, int drop, bool[] ones) =>
        [.. Enumerable.Range(drop, dims.Length - drop).Select(k => ones[k] ? 1 : dims[k])];

    private static float Reference(float[] values, int[] shape, int[] outShape, int outFlat)
    {
        int offset = outShape.Length - shape.Length, flat = 0;
        for (int k = 0, rest = outFlat, stride = outShape.Aggregate(1, (p, d) => p * d); k < outShape.Length; k++)
        {
            stride /= outShape[k];
            int index = rest / stride;
            rest %= stride;
            if (k >= offset) flat = flat * shape[k - offset] + (shape[k - offset] == 1 ? 0 : index);
        }
        return values[flat];
    }

    [Fact]
    public void Add_and_multiply_match_an_index_by_index_reference_and_the_result_shape_is_numpys()
    {
        Shapes.Sample(s =>
        {
            var rng = new Rng((ulong)s.Seed);
            var a = Tensor.Randn(new Shape(s.A), rng);
            var b = Tensor.Randn(new Shape(s.B), rng);
            var sum = (a + b).ToArray();
            var product = (a * b).ToArray();
            Assert.Equal(s.Out, (a + b).Shape.ToArray());
            float[] av = a.ToArray(), bv = b.ToArray();
            for (int i = 0; i < sum.Length; i++)
            {
                float x = Reference(av, s.A, s.Out, i), y = Reference(bv, s.B, s.Out, i);
                Assert.Equal(x + y, sum[i]);
                Assert.Equal(x * y, product[i]);
            }
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void The_gradient_of_a_broadcast_sum_counts_each_elements_copies()
    {
        Shapes.Sample(s =>
        {
            var rng = new Rng((ulong)s.Seed);
            var a = Tensor.Randn(new Shape(s.A), rng).RequireGrad();
            var b = Tensor.Randn(new Shape(s.B), rng).RequireGrad();
            (a + b).Sum().Backward();
            int total = s.Out.Aggregate(1, (p, d) => p * d);
            Assert.All(a.Grad!.ToArray(), g => Assert.Equal(total / a.Numel, g));
            Assert.All(b.Grad!.ToArray(), g => Assert.Equal(total / b.Numel, g));
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void Sizes_that_differ_and_are_not_1_are_refused_naming_both_shapes()
    {
        (from s in Shapes from axis in Gen.Int[0, 3] select (s, axis)).Sample(t =>
        {
            var (s, axis) = t;
            int k = axis % s.Out.Length;
            int[] a = [.. s.Out], b = [.. s.Out];
            a[k] = 2;
            b[k] = 3;
            var e = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(new Shape(a)) + Tensor.Zeros(new Shape(b)));
            Assert.Contains($"[{string.Join(", ", a)}]", e.Message, StringComparison.Ordinal);
            Assert.Contains($"[{string.Join(", ", b)}]", e.Message, StringComparison.Ordinal);
        }, iter: 100, threads: 1);
    }
}
