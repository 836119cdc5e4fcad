using Nabla.Data;
using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>SpMM and the per-edge kernels against double-precision loops, on every instruction path and thread count.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class SparseMatMulTests
{
    /// <summary>A random sparse matrix with empty rows, long rows and rows of one entry.</summary>
    internal static CsrMatrix RandomMatrix(int rows, int columns, double density, int seed, bool binary = false)
    {
        var rng = new Random(seed);
        var r = new List<int>();
        var c = new List<int>();
        var v = new List<float>();
        for (int i = 0; i < rows; i++)
        {
            double d = i % 7 == 3 ? 0 : i % 11 == 5 ? Math.Min(1, 4 * density) : density;
            for (int j = 0; j < columns; j++)
                if (rng.NextDouble() < d)
                {
                    r.Add(i);
                    c.Add(j);
                    v.Add((float)(rng.NextDouble() * 2 - 1));
                }
        }
        return CsrMatrix.FromEntries(rows, columns, [.. r], [.. c], binary ? default : [.. v]);
    }

    private static double[] Reference(CsrMatrix a, float[] values, int heads, float[] x, int width, float[] y0, bool accumulate)
    {
        var y = new double[a.Rows * width];
        int hw = width / heads;
        for (int r = 0; r < a.Rows; r++)
            for (int j = 0; j < width; j++)
            {
                double s = accumulate ? y0[r * width + j] : 0;
                for (int p = a.RowPointers[r]; p < a.RowPointers[r + 1]; p++)
                {
                    double v = values.Length == 0 ? 1 : values[p * heads + j / hw];
                    s += v * x[a.ColumnIndices[p] * width + j];
                }
                y[r * width + j] = s;
            }
        return y;
    }

    public static IEnumerable<object[]> PathsAndWidths()
    {
        foreach (var path in KernelPaths.All)
            foreach (var (width, heads) in new[] { (1, 1), (7, 1), (8, 1), (9, 1), (15, 1), (16, 1), (17, 1), (31, 1), (48, 1), (58, 1), (64, 1), (65, 1), (70, 1), (79, 1), (80, 1), (100, 1), (130, 1), (12, 3), (24, 3), (64, 8), (60, 2), (80, 2) })
                yield return [path, width, heads];
    }

    [Theory]
    [MemberData(nameof(PathsAndWidths))]
    internal void Matches_a_double_loop_overwriting_and_accumulating(KernelPath path, int width, int heads)
    {
        var a = RandomMatrix(37, 23, 0.2, width * 31 + heads);
        var x = KernelTestSupport.Uniform(23 * width, width, -1, 1);
        var values = heads == 1 ? a.Values.ToArray() : KernelTestSupport.Uniform(a.NonZeroCount * heads, 5, -1, 1);
        var y0 = KernelTestSupport.Uniform(37 * width, 9, -1, 1);
        foreach (bool accumulate in new[] { false, true })
        {
            var y = (float[])y0.Clone();
            SparseMatMul.Compute(a.RowPointers, a.ColumnIndices, values, default, heads, x, width, y, accumulate, path);
            var expected = Reference(a, values, heads, x, width, y0, accumulate);
            KernelTestSupport.AssertClose(y, i => expected[i], 1e-5, 1e-5, $"{path} width {width} heads {heads} accumulate {accumulate}");
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Paths), MemberType = typeof(KernelTestSupport))]
    internal void A_binary_matrix_sums_the_rows_it_names(KernelPath path)
    {
        var a = RandomMatrix(20, 15, 0.3, 2, binary: true);
        var x = KernelTestSupport.Uniform(15 * 19, 3, -1, 1);
        var y = new float[20 * 19];
        SparseMatMul.Compute(a.RowPointers, a.ColumnIndices, default, default, 1, x, 19, y, false, path);
        var expected = Reference(a, [], 1, x, 19, y, false);
        KernelTestSupport.AssertClose(y, i => expected[i], 1e-5, 1e-5, $"{path} binary");
    }

    [Theory]
    [MemberData(nameof(KernelTestSupport.Paths), MemberType = typeof(KernelTestSupport))]
    internal void The_transposed_product_reads_values_through_the_entry_index(KernelPath path)
    {
        var a = RandomMatrix(30, 12, 0.25, 8);
        var t = CsrTranspose.Of(a);
        var g = KernelTestSupport.Uniform(30 * 10, 4, -1, 1);
        var dx = new float[12 * 10];
        SparseMatMul.Compute(t.RowPointers, t.Rows, a.Values, t.Entries, 1, g, 10, dx, false, path);
        var dense = a.ToDense().ToArray();
        for (int c = 0; c < 12; c++)
            for (int j = 0; j < 10; j++)
            {
                double s = 0;
                for (int r = 0; r < 30; r++) s += (double)dense[r * 12 + c] * g[r * 10 + j];
                Assert.True(Math.Abs(s - dx[c * 10 + j]) < 1e-5, $"{path} Aᵀ·G [{c}, {j}]: {dx[c * 10 + j]} vs {s}");
            }
    }

    [Fact]
    public void One_and_two_threads_give_identical_bits()
    {
        var a = RandomMatrix(3000, 2000, 0.004, 11);
        var x = KernelTestSupport.Uniform(2000 * 64, 12, -1, 1);
        float[] Run(int threads)
        {
            int saved = WorkerPool.MaxThreads;
            WorkerPool.MaxThreads = threads;
            try
            {
                var y = new float[3000 * 64];
                SparseMatMul.Compute(a.RowPointers, a.ColumnIndices, a.Values, default, 1, x, 64, y, false);
                var s = new float[a.NonZeroCount];
                EdgeKernels.EntryDots(a.RowPointers, a.ColumnIndices, 1, y, x, 64, s, false);
                var soft = new float[a.NonZeroCount];
                EdgeKernels.RowSoftmax(a.RowPointers, 1, s, soft);
                return [.. y, .. s, .. soft];
            }
            finally
            {
                WorkerPool.MaxThreads = saved;
            }
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void A_column_outside_x_is_refused_not_read()
    {
        int[] rowPointers = [0, 1];
        int[] columns = [5];
        var e = Assert.Throws<ArgumentException>(() => SparseMatMul.Compute(rowPointers, columns, default, default, 1, new float[4 * 3], 3, new float[3], false));
        Assert.Contains("column 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Edge_kernels_gather_sum_softmax_and_dot_as_their_definitions()
    {
        var a = RandomMatrix(9, 9, 0.4, 21);
        int heads = 2, nnz = a.NonZeroCount;
        var nodeValues = KernelTestSupport.Uniform(9 * heads, 1, -2, 2);
        var rows = new float[nnz * heads];
        var cols = new float[nnz * heads];
        EdgeKernels.GatherRows(a.RowPointers, heads, nodeValues, rows);
        EdgeKernels.GatherColumns(a.RowPointers, a.ColumnIndices, heads, nodeValues, cols);
        var scores = KernelTestSupport.Uniform(nnz * heads, 2, -3, 3);
        var soft = new float[nnz * heads];
        EdgeKernels.RowSoftmax(a.RowPointers, heads, scores, soft);
        var g = KernelTestSupport.Uniform(nnz * heads, 3, -1, 1);
        var dSoft = Enumerable.Repeat(0.5f, nnz * heads).ToArray();
        EdgeKernels.RowSoftmaxGrad(a.RowPointers, heads, soft, g, dSoft, accumulate: true);
        var sums = new float[9 * heads];
        EdgeKernels.SumRows(a.RowPointers, default, heads, g, sums, accumulate: false);
        var t = CsrTranspose.Of(a);
        var columnSums = new float[9 * heads];
        EdgeKernels.SumRows(t.RowPointers, t.Entries, heads, g, columnSums, accumulate: false);
        var gNodes = KernelTestSupport.Uniform(9 * 6, 4, -1, 1);
        var xNodes = KernelTestSupport.Uniform(9 * 6, 5, -1, 1);
        var dots = new float[nnz * heads];
        EdgeKernels.EntryDots(a.RowPointers, a.ColumnIndices, heads, gNodes, xNodes, 6, dots, accumulate: false);

        var expectedColumnSums = new double[9 * heads];
        for (int r = 0; r < 9; r++)
            for (int h = 0; h < heads; h++)
            {
                int p0 = a.RowPointers[r], p1 = a.RowPointers[r + 1];
                double max = double.NegativeInfinity, total = 0, dot = 0, sum = 0;
                for (int p = p0; p < p1; p++) max = Math.Max(max, scores[p * heads + h]);
                for (int p = p0; p < p1; p++) total += Math.Exp(scores[p * heads + h] - max);
                for (int p = p0; p < p1; p++) dot += Math.Exp(scores[p * heads + h] - max) / total * g[p * heads + h];
                for (int p = p0; p < p1; p++)
                {
                    int i = p * heads + h, c = a.ColumnIndices[p];
                    Assert.Equal(nodeValues[r * heads + h], rows[i]);
                    Assert.Equal(nodeValues[c * heads + h], cols[i]);
                    double y = Math.Exp(scores[i] - max) / total;
                    Assert.True(Math.Abs(y - soft[i]) < 1e-6, $"softmax [{p}, {h}]: {soft[i]} vs {y}");
                    Assert.True(Math.Abs(0.5 + y * (g[i] - dot) - dSoft[i]) < 1e-6, $"softmax grad [{p}, {h}]");
                    sum += g[i];
                    expectedColumnSums[c * heads + h] += g[i];
                    double d = 0;
                    for (int k = 0; k < 3; k++) d += (double)gNodes[r * 6 + h * 3 + k] * xNodes[c * 6 + h * 3 + k];
                    Assert.True(Math.Abs(d - dots[i]) < 1e-5, $"entry dot [{p}, {h}]: {dots[i]} vs {d}");
                }
                Assert.True(Math.Abs(sum - sums[r * heads + h]) < 1e-5, $"row sum [{r}, {h}]");
            }
        KernelTestSupport.AssertClose(columnSums, i => expectedColumnSums[i], 1e-5, 1e-5, "column sums over the transposed structure");
    }

    [Fact]
    public void Transpose_writes_and_adds_the_transposed_matrix()
    {
        foreach (var (rows, cols) in new[] { (1, 1), (3, 70), (64, 5000 / 50), (33, 33) })
        {
            var src = KernelTestSupport.Uniform(rows * cols, rows + cols, -1, 1);
            var dst = Enumerable.Repeat(1f, rows * cols).ToArray();
            Transpose.Compute(src, rows, cols, dst, accumulate: true);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) Assert.Equal(1f + src[r * cols + c], dst[c * rows + r]);
            Transpose.Compute(src, rows, cols, dst, accumulate: false);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) Assert.Equal(src[r * cols + c], dst[c * rows + r]);
        }
    }
}
