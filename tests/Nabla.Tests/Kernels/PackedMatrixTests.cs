using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

/// <summary><see cref="PackedMatrix"/> against a double loop on every micro-kernel, and <see cref="ColumnSums"/>.</summary>
public class PackedMatrixTests
{
    public static TheoryData<int, bool> PathsAndTransposes()
    {
        var data = new TheoryData<int, bool>();
        foreach (var path in new[] { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 })
            foreach (var trans in new[] { false, true }) data.Add((int)path, trans);
        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void Products_with_strided_rows_match_a_double_loop_across_k_and_n_blocks(int pathIndex, bool transB)
    {
        var path = (KernelPath)pathIndex;
        // k past one k block (256) and n past one n block (256/512/1024 by kernel) and not a multiple of the tiles.
        foreach (var (m, k, n) in new[] { (1, 1, 1), (7, 13, 19), (13, 300, 37), (5, 129, 1100) })
        {
            int lda = k + 3, ldc = n + 5, ldb = transB ? k + 2 : n + 2;
            var a = Uniform(m * lda, m + k, -1f, 1f);
            var b = Uniform((transB ? n : k) * ldb, n + k, -1f, 1f);
            var packed = new PackedMatrix();
            packed.Pack(path, transB, k, n, b, ldb);
            foreach (float beta in new[] { 0f, 1f })
            {
                var c = Uniform(m * ldc, 3 * m + n);
                var before = (float[])c.Clone();
                packed.Multiply(m, a, lda, beta, c, ldc);
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++)
                    {
                        double e = beta * before[i * ldc + j];
                        for (int p = 0; p < k; p++) e += (double)a[i * lda + p] * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                        Assert.True(Math.Abs(c[i * ldc + j] - e) <= 1e-5 * (1 + Math.Sqrt(k)), $"{path} {m}×{k}×{n} β={beta} C[{i},{j}] = {c[i * ldc + j]}, expected {e}");
                    }
                // Row gaps (past n in each row) are never written.
                for (int i = 0; i < m; i++)
                    for (int j = n; j < ldc && i * ldc + j < c.Length; j++) Assert.Equal(before[i * ldc + j], c[i * ldc + j]);
            }
        }
    }

    [Fact]
    public void Any_split_of_the_rows_gives_the_same_bits()
    {
        int m = 40, k = 300, n = 70;
        var a = Uniform(m * k, 1, -1f, 1f);
        var b = Uniform(n * k, 2, -1f, 1f);
        var packed = new PackedMatrix();
        packed.Pack(true, k, n, b, k);
        var whole = new float[m * n];
        packed.Multiply(m, a, k, 0f, whole, n);
        var split = new float[m * n];
        foreach (var (start, rows) in new[] { (0, 7), (7, 20), (27, 13) })
            packed.Multiply(rows, a.AsSpan(start * k), k, 0f, split.AsSpan(start * n), n);
        Assert.Equal(whole, split);
    }

    [Fact]
    public void Column_sums_add_every_row_and_accumulate_on_request()
    {
        foreach (var (rows, cols) in new[] { (1, 1), (3, 5), (4, 8), (9, 17), (31, 40) })
        {
            var src = Uniform(rows * cols, rows + cols, -1f, 1f);
            var dst = Uniform(cols, 3);
            var before = (float[])dst.Clone();
            ColumnSums.Compute(src, rows, cols, dst, accumulate: true);
            for (int j = 0; j < cols; j++)
            {
                double e = before[j];
                for (int r = 0; r < rows; r++) e += src[r * cols + j];
                Assert.True(Math.Abs(dst[j] - e) <= 1e-5 * (1 + Math.Abs(e)), $"{rows}×{cols} column {j}: {dst[j]}, expected {e}");
            }
            ColumnSums.Compute(src, rows, cols, dst, accumulate: false);
            for (int j = 0; j < cols; j++)
            {
                double e = Enumerable.Range(0, rows).Sum(r => (double)src[r * cols + j]);
                Assert.True(Math.Abs(dst[j] - e) <= 1e-5 * (1 + Math.Abs(e)), $"{rows}×{cols} column {j}: {dst[j]}, expected {e}");
            }
        }
    }
}
