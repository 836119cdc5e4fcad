using System.Runtime.Intrinsics;
using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

[Collection(ProcessWideStateCollection.Name)]
public class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 3, 3, 3 }, { 17, 17, 17 }, { 63, 63, 63 }, { 65, 65, 65 }, { 127, 127, 127 },
        { 257, 257, 257 }, { 1000, 3, 7 }, { 7, 1000, 3 }, { 3, 7, 1000 }, { 13, 33, 300 }, { 25, 65, 513 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_path_matches_a_double_precision_triple_loop_for_all_transposes(int m, int n, int k)
    {
        foreach (var path in Paths())
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    CheckAgainstReference(path, ta, tb, m, n, k, alpha: 1.5f, beta: 0.5f, pad: 3, seed: m * 7 + n * 3 + k);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1f)]
    [InlineData(0.5f)]
    [InlineData(-2f)]
    public void Beta_scales_the_old_C_on_every_path(float beta)
    {
        foreach (var path in Paths())
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    CheckAgainstReference(path, ta, tb, 37, 45, 29, alpha: -0.75f, beta, pad: 5, seed: 11);
                    CheckAgainstReference(path, ta, tb, 12, 32, 600, alpha: 2f, beta, pad: 0, seed: 12);
                }
    }

    [Fact]
    public void Beta_zero_overwrites_NaN_filled_C_without_reading_it()
    {
        foreach (var path in Paths())
        {
            var (a, b) = (Random(50 * 40, 1), Random(40 * 30, 2));
            var c = new float[50 * 30];
            Array.Fill(c, float.NaN);
            Gemm.Sgemm(path, false, false, 50, 30, 40, 1f, a, 40, b, 30, 0f, c, 30, 1);
            Assert.All(c, v => Assert.True(float.IsFinite(v), $"{path}: NaN leaked into C"));
            CheckAgainstReference(path, false, false, 50, 30, 40, 1f, 0f, pad: 2, seed: 3, fillC: float.NaN);
        }
    }

    [Fact]
    public void K_zero_gives_beta_times_C()
    {
        foreach (var path in Paths())
        {
            var c = new float[] { 1, 2, float.NaN, 4, 5, 6 };
            Gemm.Sgemm(path, false, false, 2, 3, 0, 1f, [], 1, [], 3, 0f, c, 3, 1);
            Assert.Equal(new float[6], c);

            c = [1, 2, 3, 4, 5, 6];
            Gemm.Sgemm(path, false, false, 2, 3, 0, 1f, [], 1, [], 3, 0.5f, c, 3, 1);
            Assert.Equal(new float[] { 0.5f, 1, 1.5f, 2, 2.5f, 3 }, c);

            c = [1, 2, 3, 4, 5, 6];
            Gemm.Sgemm(path, false, false, 2, 3, 0, 1f, [], 1, [], 3, 1f, c, 3, 1);
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        }
    }

    [Fact]
    public void Empty_m_or_n_leaves_C_untouched()
    {
        var c = new float[] { 7 };
        Gemm.Sgemm(false, false, 0, 1, 5, 1f, [], 5, new float[5], 1, 0f, c, 1);
        Gemm.Sgemm(false, false, 1, 0, 5, 1f, new float[5], 5, [], 1, 0f, c, 1);
        Assert.Equal(7f, c[0]);
    }

    [Fact]
    public void Public_overload_matches_the_reference()
    {
        var (a, b) = (Random(70 * 90, 1), Random(90 * 50, 2));
        var c = new float[70 * 50];
        Gemm.Sgemm(false, true, 70, 50, 90, 1f, a, 90, b, 90, 0f, c, 50);
        var expected = Reference(false, true, 70, 50, 90, 1f, a, 90, b, 90, 0f, new float[70 * 50], 50);
        AssertClose(expected, c, 70, 50, 50, Tolerance(90, a, b, 1f), "public");
    }

    [Theory]
    [InlineData(-1, 2, 3)]
    [InlineData(2, -1, 3)]
    [InlineData(2, 3, -1)]
    public void Negative_dimensions_are_rejected_with_their_values(int m, int n, int k)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Sgemm(false, false, m, n, k, 1f, new float[100], 10, new float[100], 10, 0f, new float[100], 10));
        Assert.Contains($"m={m}, n={n}, k={k}", ex.Message);
    }

    [Fact]
    public void Short_spans_and_small_strides_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Sgemm(false, false, 4, 4, 4, 1f, new float[15], 4, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("15", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Sgemm(false, true, 4, 5, 4, 1f, new float[16], 4, new float[19], 4, 0f, new float[20], 5));
        Assert.Contains("B has 19", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Sgemm(false, false, 4, 4, 4, 1f, new float[16], 4, new float[16], 4, 0f, new float[16], 3));
        Assert.Contains("ldc=3", ex.Message);
        ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Sgemm(true, false, 4, 4, 2, 1f, new float[16], 3, new float[16], 4, 0f, new float[16], 4));
        Assert.Contains("lda=3", ex.Message);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Two_threads_give_bitwise_the_same_C_as_one(bool ta, bool tb)
    {
        int saved = WorkerPool.MaxThreads;
        try
        {
            foreach (var (m, n, k) in new[] { (300, 260, 200), (129, 1000, 77), (1000, 40, 300), (530, 610, 300) })
            {
                var a = Random(m * k, 5);
                var b = Random(k * n, 6);
                var c0 = Random(m * n, 7);
                float[] Run(int threads)
                {
                    WorkerPool.MaxThreads = threads;
                    var c = (float[])c0.Clone();
                    Gemm.Sgemm(ta, tb, m, n, k, 0.5f, a, ta ? m : k, b, tb ? k : n, 0.25f, c, n);
                    return c;
                }
                Assert.True((long)m * n * k >= Gemm.ParallelThreshold);
                var one = Run(1);
                var two = Run(2);
                Assert.Equal(one, two);
                var expected = Reference(ta, tb, m, n, k, 0.5f, a, ta ? m : k, b, tb ? k : n, 0.25f, (float[])c0.Clone(), n);
                AssertClose(expected, two, m, n, n, Tolerance(k, a, b, 0.5f) + 1e-6, "2 threads");
            }
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Theory]
    [InlineData(1, 256, 784, 0f)]
    [InlineData(3, 130, 600, 1f)]
    [InlineData(4, 66, 1000, 0f)]
    public void Row_dot_products_split_over_two_threads_give_bitwise_the_same_C(int m, int n, int k, float beta)
    {
        int saved = WorkerPool.MaxThreads;
        try
        {
            var a = Random(m * k, 31);
            var b = Random(n * k, 32);
            var c0 = Random(m * n, 33);
            float[] Run(int threads)
            {
                WorkerPool.MaxThreads = threads;
                var c = (float[])c0.Clone();
                RowDots.Compute(m, n, k, a, b, beta, c);
                return c;
            }
            Assert.True((long)n * k >= 1 << 16, "the shape must be large enough to be split");
            var one = Run(1);
            Assert.Equal(one, Run(2));
            var expected = Reference(false, true, m, n, k, 1f, a, k, b, k, beta, (float[])c0.Clone(), n);
            AssertClose(expected, one, m, n, n, Tolerance(k, a, b, 1f) + 1e-6, "row dots");
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Fact]
    public void Narrow_and_wide_kernels_give_identical_bits_for_the_same_columns()
    {
        // Thread pieces may be narrower than 16 columns and then run the narrow AVX-512 kernel;
        // that must not change a bit of the result.
        if (!Vector512.IsHardwareAccelerated) return;
        const int m = 50, n = 40, k = 600;
        var a = Random(m * k, 21);
        var b = Random(k * n, 22);
        var c0 = Random(m * n, 23);
        var whole = (float[])c0.Clone();
        Gemm.Sgemm(KernelPath.Vector512, false, false, m, n, k, 0.5f, a, k, b, n, 0.75f, whole, n, 1);
        var split = (float[])c0.Clone();
        Gemm.Sgemm(KernelPath.Vector512, false, false, m, 30, k, 0.5f, a, k, b, n, 0.75f, split, n, 1);
        Gemm.Sgemm(KernelPath.Vector512, false, false, m, 10, k, 0.5f, a, k, b.AsSpan(30), n, 0.75f,
            split.AsSpan(30), n, 1);
        Assert.Equal(whole, split);
    }

    [Theory]
    [InlineData(128, 256, 784, 0f)]
    [InlineData(128, 128, 256, 1f)]
    [InlineData(13, 40, 300, 0.5f)]
    [InlineData(25, 33, 513, 0f)]
    public void Row_major_A_read_in_place_gives_the_bits_of_a_packed_A(int m, int n, int k, float beta)
    {
        // The AVX2 driver reads full 6-row panels of a row-major A with alpha 1 where they lie; a transposed
        // A, a stride of 1024 and alpha ≠ 1 are packed first. All must give the same bits.
        var a = Random(m * k, m + n);
        var at = new float[k * m];
        var padded = new float[m * 1024];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
                at[p * m + i] = padded[i * 1024 + p] = a[i * k + p];
        var b = Random(k * n, k);
        var c0 = Random(m * n, 3);
        float[] Run(bool ta, float[] stored, int lda, int threads)
        {
            var c = (float[])c0.Clone();
            Gemm.Sgemm(KernelPath.Vector256, ta, false, m, n, k, 1f, stored, lda, b, n, beta, c, n, threads);
            return c;
        }
        var inPlace = Run(false, a, k, 1);
        Assert.Equal(Run(true, at, m, 1), inPlace);
        Assert.Equal(Run(false, padded, 1024, 1), inPlace);
        Assert.Equal(Run(false, a, k, 2), inPlace);
        var y = new float[m * n];
        var bias = Random(n, 5);
        var w = new float[n * k];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
                w[j * k + p] = b[p * n + j];
        Gemm.LinearForward(m, n, k, a, w, bias, y);
        var expected = new float[m * n];
        for (int i = 0; i < m; i++) bias.CopyTo(expected, i * n);
        Gemm.Sgemm(KernelPath.Vector256, true, true, m, n, k, 1f, at, m, w, k, 1f, expected, n, 1);
        if (KernelPaths.Best == KernelPath.Vector256) Assert.Equal(expected, y);
    }

    [Theory]
    [InlineData(128, 256, 784, false)]
    [InlineData(128, 10, 128, true)]
    [InlineData(50, 13, 70, false)]
    [InlineData(33, 7, 40, true)]
    public void Weight_and_bias_gradient_give_the_bits_of_a_product_and_a_row_by_row_sum(int m, int n, int k, bool accumulate)
    {
        // db = Σ_rows G is taken from the packed panels of Gᵀ (6-, 4- and fewer-row panels on AVX2); it must
        // equal adding the rows of G one by one, on 1 and 2 threads.
        var g = Random(m * n, m);
        var x = Random(m * k, k);
        var dw0 = Random(n * k, 1);
        var db0 = Random(n, 2);
        var expectedDw = (float[])dw0.Clone();
        Gemm.Sgemm(true, false, n, k, m, 1f, g, n, x, k, accumulate ? 1f : 0f, expectedDw, k);
        var expectedDb = accumulate ? (float[])db0.Clone() : new float[n];
        for (int r = 0; r < m; r++) Primitives.Add(expectedDb, g.AsSpan(r * n, n), expectedDb);
        int saved = WorkerPool.MaxThreads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                WorkerPool.MaxThreads = threads;
                var dw = (float[])dw0.Clone();
                var db = (float[])db0.Clone();
                Gemm.WeightAndBiasGradient(m, n, k, g, x, accumulate ? 1f : 0f, dw, db, accumulate);
                Assert.Equal(expectedDw, dw);
                Assert.Equal(expectedDb, db);
            }
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Fact]
    public void Repeated_calls_allocate_nothing_single_or_multi_threaded()
    {
        int saved = WorkerPool.MaxThreads;
        try
        {
            WorkerPool.MaxThreads = 2;
            foreach (var (m, n, k) in new[] { (20, 30, 40), (200, 300, 100) })
            {
                var (a, b, c) = (Random(m * k, 1), Random(k * n, 2), new float[m * n]);
                void Call() => Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 1f, c, n);
                for (int i = 0; i < 3; i++) Call();
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++) Call();
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated == 0, $"{m}x{n}x{k}: {allocated} bytes allocated");
            }
        }
        finally
        {
            WorkerPool.MaxThreads = saved;
        }
    }

    [Fact]
    public void The_public_overload_uses_the_widest_accelerated_path()
    {
        var expected = Vector512.IsHardwareAccelerated ? KernelPath.Vector512
            : Vector256.IsHardwareAccelerated ? KernelPath.Vector256 : KernelPath.Scalar;
        Assert.Equal(expected, KernelPaths.Best);
    }

    // Vector512 is emulated (correct but slow) where it is not accelerated; still test it there
    // only when the machine runs it natively, to keep the suite fast.
    private static IEnumerable<KernelPath> Paths() =>
        KernelPaths.All.Where(p => p != KernelPath.Vector512 || Vector512.IsHardwareAccelerated);

    [Theory]
    [InlineData(1, 256, 784)]
    [InlineData(2, 17, 33)]
    [InlineData(3, 5, 16)]
    [InlineData(4, 10, 128)]
    [InlineData(1, 3, 7)]
    public void Few_rows_times_a_transposed_matrix_take_the_dot_product_path_and_match_the_triple_loop(int m, int n, int k)
    {
        foreach (float beta in new[] { 0f, 1f })
        {
            var a = Random(m * k, 11);
            var b = Random(n * k, 12);
            var c = beta == 0f ? Filled(m * n, float.NaN) : Random(m * n, 13);
            var expected = Reference(false, true, m, n, k, 1f, a, k, b, k, beta, (float[])c.Clone(), n);
            Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, beta, c, n);
            AssertClose(expected, c, m, n, n, Tolerance(k, a, b, 1f), $"public few-row path {m}x{n}x{k} beta={beta}");
        }
    }

    private static void CheckAgainstReference(KernelPath path, bool ta, bool tb, int m, int n, int k,
        float alpha, float beta, int pad, int seed, float fillC = float.NaN)
    {
        int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
        var a = Random((ta ? k : m) * lda, seed);
        var b = Random((tb ? n : k) * ldb, seed + 1);
        var c = beta == 0f ? Filled(m * ldc, fillC) : Random(m * ldc, seed + 2);
        var expected = Reference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, (float[])c.Clone(), ldc);
        var padding = (float[])c.Clone();
        Gemm.Sgemm(path, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1);
        string what = $"{path} ta={ta} tb={tb} {m}x{n}x{k} alpha={alpha} beta={beta}";
        AssertClose(expected, c, m, n, ldc, Tolerance(k, a, b, alpha), what);
        // The gap between rows (columns n..ldc) belongs to someone else and must stay untouched.
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++)
                Assert.True(padding[i * ldc + j].Equals(c[i * ldc + j]), $"{what}: padding changed at ({i},{j})");
    }

    private static float[] Reference(bool ta, bool tb, int m, int n, int k, float alpha,
        float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                    sum += (double)(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
                double old = beta == 0f ? 0 : beta * (double)c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * sum + old);
            }
        return c;
    }

    private static double Tolerance(int k, float[] a, float[] b, float alpha) =>
        Math.Abs(alpha) * Math.Max(1, k) * a.Max(Math.Abs) * b.Max(Math.Abs) * 1e-6 + 1e-6;

    private static void AssertClose(float[] expected, float[] actual, int m, int n, int ldc, double tol, string what)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float e = expected[i * ldc + j], v = actual[i * ldc + j];
                if (!(Math.Abs(e - v) <= tol))
                    Assert.Fail($"{what}: C[{i},{j}] = {v}, expected {e} (tolerance {tol:G3})");
            }
    }

    private static float[] Random(int length, int seed)
    {
        var rng = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static float[] Filled(int length, float value)
    {
        var x = new float[length];
        Array.Fill(x, value);
        return x;
    }
}
