using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// SpMM: the product of a sparse matrix A <c>[R, C]</c> in compressed sparse row (CSR) form with a
/// dense row-major X <c>[C, width]</c>, Y = A·X (or Y += A·X):
/// Y[r, j] = Σ_{p ∈ row r} a_p·X[column_p, j]. The graph "convolution" of GNNs (aggregate each
/// node's neighbours) and a sparse input times a dense weight are both this product.
/// </summary>
/// <remarks>
/// <para>Entry values: none (every a_p = 1, a binary matrix), or one per entry and <i>head</i>: the
/// width is cut into <c>heads</c> equal column blocks and block h uses value
/// <c>values[q·heads + h]</c>, q = p or <c>valueIndex[p]</c>. Heads carry multi-head attention
/// weights; the index lets the transposed product (Aᵀ·G, the backward pass) run over a transposed
/// structure while reading the original entries' values in place.</para>
/// <para>Each output row is one piece of work summed in entry order, up to 64 columns per pass over
/// its entries held in registers (widths that are not a multiple of 16 end with overlapping vectors,
/// not scalar passes), so results are identical for any number of threads (<see cref="RowRanges"/>).</para>
/// </remarks>
public static class SparseMatMul
{
    /// <summary>Y = A·X, or Y += A·X when <paramref name="accumulate"/> (then Y + (A·X) is one addition per element).</summary>
    /// <param name="rowPointers">R + 1 offsets: row r's entries are positions [rowPointers[r], rowPointers[r + 1]).</param>
    /// <param name="columns">Column index of each entry, each in [0, rows of X).</param>
    /// <param name="values">Empty (all ones) or values per entry and head (see remarks).</param>
    /// <param name="valueIndex">Empty (entry p reads its own values) or, per entry, the position of its values.</param>
    /// <param name="heads">Number of column blocks with their own entry values (1 for a plain product).</param>
    /// <param name="x">X, row-major <c>[rows, width]</c>.</param>
    /// <param name="width">Columns of X and Y; a multiple of <paramref name="heads"/>.</param>
    /// <param name="y">Y, row-major <c>[R, width]</c>.</param>
    /// <param name="accumulate">Add to Y instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A span is too short, a column index is outside X, or the width is not a multiple of the heads.</exception>
    public static void Compute(ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columns, ReadOnlySpan<float> values, ReadOnlySpan<int> valueIndex,
        int heads, ReadOnlySpan<float> x, int width, Span<float> y, bool accumulate) =>
        Compute(rowPointers, columns, values, valueIndex, heads, x, width, y, accumulate, KernelPaths.Best);

    /// <summary><see cref="Compute(ReadOnlySpan{int}, ReadOnlySpan{int}, ReadOnlySpan{float}, ReadOnlySpan{int}, int, ReadOnlySpan{float}, int, Span{float}, bool)"/> on a given instruction path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Compute(ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columns, ReadOnlySpan<float> values, ReadOnlySpan<int> valueIndex,
        int heads, ReadOnlySpan<float> x, int width, Span<float> y, bool accumulate, KernelPath path)
    {
        int rows = rowPointers.Length - 1;
        if (rows < 0 || heads < 1 || width < 0 || width % heads != 0)
            throw new ArgumentException($"SparseMatMul: {rowPointers.Length} row pointers, width {width} and {heads} heads do not describe a product");
        int nnz = rowPointers[rows];
        if (columns.Length < nnz || y.Length < (long)rows * width || (!valueIndex.IsEmpty && valueIndex.Length < nnz)
            || (!values.IsEmpty && valueIndex.IsEmpty && values.Length < (long)nnz * heads))
            throw new ArgumentException($"SparseMatMul: spans too short for {rows} rows, {nnz} entries, width {width}, {heads} heads (columns {columns.Length}, values {values.Length}, value index {valueIndex.Length}, Y {y.Length})");
        if (width == 0 || rows == 0) return;
        fixed (int* rp = rowPointers, cp = columns, vi = valueIndex)
        fixed (float* vp = values, xp = x, yp = y)
        {
            var work = _work ??= new Work();
            work.Set(rp, rows, cp, nnz, vp, values.Length, vi, valueIndex.Length, heads, xp, x.Length, width, yp, accumulate, path);
            try
            {
                work.Start(rowPointers, (long)nnz * width);
            }
            finally
            {
                work.Clear();
            }
        }
    }

    [ThreadStatic] private static Work? _work;

    private sealed unsafe class Work : RowRanges
    {
        private int* _rowPointers, _columns, _valueIndex;
        private float* _values, _x, _y;
        private int _rows, _nnz, _valueCount, _valueIndexCount, _heads, _xLength, _width;
        private bool _accumulate;
        private KernelPath _path;

        public void Set(int* rowPointers, int rows, int* columns, int nnz, float* values, int valueCount, int* valueIndex, int valueIndexCount,
            int heads, float* x, int xLength, int width, float* y, bool accumulate, KernelPath path)
        {
            _rowPointers = rowPointers;
            _columns = columns;
            _valueIndex = valueIndex;
            _values = values;
            _x = x;
            _y = y;
            (_rows, _nnz, _valueCount, _valueIndexCount) = (rows, nnz, valueCount, valueIndexCount);
            (_heads, _xLength, _width, _accumulate, _path) = (heads, xLength, width, accumulate, path);
        }

        public void Start(ReadOnlySpan<int> rowPointers, long work) => Run(rowPointers, work);

        public void Clear()
        {
            _rowPointers = _columns = _valueIndex = null;
            _values = _x = _y = null;
        }

        protected override void RunRows(int r0, int r1) => Rows(r0, r1,
            new ReadOnlySpan<int>(_rowPointers, _rows + 1), new ReadOnlySpan<int>(_columns, _nnz),
            new ReadOnlySpan<float>(_values, _valueCount), new ReadOnlySpan<int>(_valueIndex, _valueIndexCount), _heads,
            new ReadOnlySpan<float>(_x, _xLength), _width, new Span<float>(_y, _rows * _width), _accumulate, _path);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(int r0, int r1, ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columns, ReadOnlySpan<float> values,
        ReadOnlySpan<int> valueIndex, int heads, ReadOnlySpan<float> x, int width, Span<float> y, bool accumulate, KernelPath path)
    {
        int xRows = x.Length / width, headWidth = width / heads;
        var a = new Operands(columns, values, valueIndex, heads, x, width);
        for (int r = r0; r < r1; r++)
        {
            int p0 = rowPointers[r], p1 = rowPointers[r + 1];
            // Checked once per entry here so the loads below may skip bounds checks.
            for (int p = p0; p < p1; p++)
                if ((uint)columns[p] >= (uint)xRows)
                    throw new ArgumentException($"SparseMatMul: entry {p} of row {r} has column {columns[p]}, outside the {xRows} rows of X");
            ref float yRow = ref y[r * width];
            for (int h = 0; h < heads; h++)
            {
                int j = h * headWidth, end = j + headWidth;
                while (path == KernelPath.Vector512 && end - j >= 16)
                {
                    int take = Take(end - j, 16);
                    Pass512(in a, p0, p1, h, j, take, ref yRow, accumulate);
                    j += take;
                }
                while (path != KernelPath.Scalar && end - j >= 8)
                {
                    int take = Take(end - j, 8);
                    Pass256(in a, p0, p1, h, j, take, ref yRow, accumulate);
                    j += take;
                }
                for (; j < end; j++) Column(in a, p0, p1, h, j, ref Unsafe.Add(ref yRow, j), accumulate);
            }
        }
    }

    // Columns per pass over a row's entries: four vectors (4·lanes) while that leaves at least one
    // vector; three when four would leave less; else all that remain (one pass, the last vector
    // overlapping the one before it). Any width ≥ lanes is so covered without scalar columns.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Take(int remaining, int lanes) =>
        remaining >= 5 * lanes || remaining == 4 * lanes ? 4 * lanes : remaining > 4 * lanes ? 3 * lanes : remaining;

    // The spans every block reads, bundled so the block methods stay short.
    private readonly ref struct Operands(ReadOnlySpan<int> columns, ReadOnlySpan<float> values, ReadOnlySpan<int> valueIndex, int heads, ReadOnlySpan<float> x, int width)
    {
        public readonly ReadOnlySpan<int> Columns = columns;
        public readonly ReadOnlySpan<float> Values = values;
        public readonly ReadOnlySpan<int> ValueIndex = valueIndex;
        public readonly int Heads = heads;
        public readonly ReadOnlySpan<float> X = x;
        public readonly int Width = width;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Value(int p, int h) =>
            Values.IsEmpty ? 1f : Values[(ValueIndex.IsEmpty ? p : ValueIndex[p]) * Heads + h];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ref float Row(int p, int j) => ref Unsafe.Add(ref MemoryMarshal.GetReference(X), (nint)Columns[p] * Width + j);
    }

    // Columns [start, start + width) of one row, 16 ≤ width ≤ 64, in four vectors of 16; when width
    // is not 64 the vectors overlap (the last one ends at start + width). Overlapping lanes sum the
    // same entries in the same order, so storing them twice writes identical values, and every
    // original value is loaded before the first store, so adding to Y stays correct.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass512(in Operands a, int p0, int p1, int h, int start, int width, ref float yRow, bool accumulate)
    {
        nuint o0 = (nuint)start, o1 = (nuint)(start + Math.Min(16, width - 16)), o2 = (nuint)(start + Math.Min(32, width - 16)), o3 = (nuint)(start + width - 16);
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int p = p0; p < p1; p++)
        {
            var v = Vector512.Create(a.Value(p, h));
            ref float row = ref a.Row(p, 0);
            s0 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref row, o0), s0);
            s1 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref row, o1), s1);
            s2 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref row, o2), s2);
            s3 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref row, o3), s3);
        }
        if (accumulate)
        {
            s0 += Vector512.LoadUnsafe(ref yRow, o0);
            s1 += Vector512.LoadUnsafe(ref yRow, o1);
            s2 += Vector512.LoadUnsafe(ref yRow, o2);
            s3 += Vector512.LoadUnsafe(ref yRow, o3);
        }
        s0.StoreUnsafe(ref yRow, o0);
        s1.StoreUnsafe(ref yRow, o1);
        s2.StoreUnsafe(ref yRow, o2);
        s3.StoreUnsafe(ref yRow, o3);
    }

    // As Pass512 with vectors of 8: 8 ≤ width ≤ 32.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pass256(in Operands a, int p0, int p1, int h, int start, int width, ref float yRow, bool accumulate)
    {
        nuint o0 = (nuint)start, o1 = (nuint)(start + Math.Min(8, width - 8)), o2 = (nuint)(start + Math.Min(16, width - 8)), o3 = (nuint)(start + width - 8);
        Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
        for (int p = p0; p < p1; p++)
        {
            var v = Vector256.Create(a.Value(p, h));
            ref float row = ref a.Row(p, 0);
            s0 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref row, o0), s0);
            s1 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref row, o1), s1);
            s2 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref row, o2), s2);
            s3 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref row, o3), s3);
        }
        if (accumulate)
        {
            s0 += Vector256.LoadUnsafe(ref yRow, o0);
            s1 += Vector256.LoadUnsafe(ref yRow, o1);
            s2 += Vector256.LoadUnsafe(ref yRow, o2);
            s3 += Vector256.LoadUnsafe(ref yRow, o3);
        }
        s0.StoreUnsafe(ref yRow, o0);
        s1.StoreUnsafe(ref yRow, o1);
        s2.StoreUnsafe(ref yRow, o2);
        s3.StoreUnsafe(ref yRow, o3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Column(in Operands a, int p0, int p1, int h, int j, ref float y, bool accumulate)
    {
        float s = 0f;
        for (int p = p0; p < p1; p++) s = MathF.FusedMultiplyAdd(a.Value(p, h), a.Row(p, j), s);
        y = accumulate ? y + s : s;
    }
}
