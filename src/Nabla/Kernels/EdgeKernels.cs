using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Per-entry operations over the rows of a compressed sparse row (CSR) structure — for a graph, per
/// edge over each node's incoming edges: copy a node value onto its edges, sum edge values into
/// nodes, softmax over each row's entries, and the entry gradient of a sparse product. Values are
/// laid out <c>[entries, heads]</c> and <c>[nodes, heads]</c> row-major.
/// </summary>
/// <remarks>
/// Rows are split over the <see cref="WorkerPool"/> by <see cref="RowRanges"/>; every output
/// element is written by one piece in a fixed order, so any thread count gives the same bits.
/// An optional entry index lets a kernel walk a transposed structure (entries grouped by column)
/// while reading and writing the original entries' slots.
/// </remarks>
public static class EdgeKernels
{
    private enum Kind { GatherRows, GatherColumns, SumRows, Softmax, SoftmaxGrad, EntryDots }

    /// <summary>edges[p·H + h] = x[r·H + h] for every entry p of row r.</summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void GatherRows(ReadOnlySpan<int> rowPointers, int heads, ReadOnlySpan<float> x, Span<float> edges)
    {
        int rows = Check(rowPointers, heads, edges.Length, "GatherRows");
        Need(x.Length, (long)rows * heads, "GatherRows", "x");
        Start(Kind.GatherRows, rowPointers, default, default, heads, x, default, 0, edges, false);
    }

    /// <summary>edges[p·H + h] = x[columns[p]·H + h] for every entry p.</summary>
    /// <exception cref="ArgumentException">A span is too short or a column index is outside x.</exception>
    public static void GatherColumns(ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columns, int heads, ReadOnlySpan<float> x, Span<float> edges)
    {
        int rows = Check(rowPointers, heads, edges.Length, "GatherColumns");
        Need(columns.Length, rowPointers[rows], "GatherColumns", "columns");
        Start(Kind.GatherColumns, rowPointers, columns, default, heads, x, default, 0, edges, false);
    }

    /// <summary>
    /// x[r·H + h] = Σ_{p ∈ row r} edges[q·H + h] with q = p, or q = <paramref name="entryIndex"/>[p]
    /// when given (then rowPointers describe a transposed structure); adds to x when
    /// <paramref name="accumulate"/>. The adjoint of the two gathers.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void SumRows(ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> entryIndex, int heads, ReadOnlySpan<float> edges, Span<float> x, bool accumulate)
    {
        int rows = Check(rowPointers, heads, edges.Length, "SumRows");
        Need(x.Length, (long)rows * heads, "SumRows", "x");
        if (!entryIndex.IsEmpty) Need(entryIndex.Length, rowPointers[rows], "SumRows", "entry index");
        Start(Kind.SumRows, rowPointers, default, entryIndex, heads, edges, default, 0, x, accumulate);
    }

    /// <summary>
    /// Softmax over each row's entries, per head: y_p = e^(s_p − m) / Σ_{q ∈ row} e^(s_q − m) with m
    /// the row's maximum (GAT's attention over a node's incoming edges).
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void RowSoftmax(ReadOnlySpan<int> rowPointers, int heads, ReadOnlySpan<float> scores, Span<float> y)
    {
        Check(rowPointers, heads, scores.Length, "RowSoftmax");
        Check(rowPointers, heads, y.Length, "RowSoftmax");
        Start(Kind.Softmax, rowPointers, default, default, heads, scores, default, 0, y, false);
    }

    /// <summary>Backward of <see cref="RowSoftmax"/>: dx_p = y_p·(g_p − Σ_{q ∈ row} y_q·g_q), written or added.</summary>
    /// <exception cref="ArgumentException">A span is too short.</exception>
    public static void RowSoftmaxGrad(ReadOnlySpan<int> rowPointers, int heads, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, bool accumulate)
    {
        Check(rowPointers, heads, y.Length, "RowSoftmaxGrad");
        Check(rowPointers, heads, g.Length, "RowSoftmaxGrad");
        Check(rowPointers, heads, dx.Length, "RowSoftmaxGrad");
        Start(Kind.SoftmaxGrad, rowPointers, default, default, heads, y, g, 0, dx, accumulate);
    }

    /// <summary>
    /// The gradient of a sparse product's entry values (see <see cref="SparseMatMul"/>):
    /// dv[p·H + h] = ⟨G[r, block h], X[columns[p], block h]⟩ for entry p of row r, the width cut
    /// into H blocks; written or added.
    /// </summary>
    /// <exception cref="ArgumentException">A span is too short, a column is outside X, or the width is not a multiple of the heads.</exception>
    public static void EntryDots(ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columns, int heads, ReadOnlySpan<float> g, ReadOnlySpan<float> x, int width,
        Span<float> dv, bool accumulate)
    {
        int rows = Check(rowPointers, heads, dv.Length, "EntryDots");
        if (width < heads || width % heads != 0) throw new ArgumentException($"EntryDots: width {width} is not a multiple of {heads} heads");
        Need(columns.Length, rowPointers[rows], "EntryDots", "columns");
        Need(g.Length, (long)rows * width, "EntryDots", "G");
        Start(Kind.EntryDots, rowPointers, columns, default, heads, g, x, width, dv, accumulate);
    }

    private static int Check(ReadOnlySpan<int> rowPointers, int heads, int entryValues, string op)
    {
        int rows = rowPointers.Length - 1;
        if (rows < 0 || heads < 1) throw new ArgumentException($"{op}: {rowPointers.Length} row pointers and {heads} heads do not describe a sparse structure");
        Need(entryValues, (long)rowPointers[rows] * heads, op, "entry values");
        return rows;
    }

    private static void Need(int length, long needed, string op, string what)
    {
        if (length < needed) throw new ArgumentException($"{op}: {what} holds {length} elements, needs {needed}");
    }

    [ThreadStatic] private static Work? _work;

    private static unsafe void Start(Kind kind, ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columns, ReadOnlySpan<int> entryIndex, int heads,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, int width, Span<float> output, bool accumulate)
    {
        int rows = rowPointers.Length - 1;
        if (rows == 0) return;
        fixed (int* rp = rowPointers, cp = columns, ei = entryIndex)
        fixed (float* ap = a, bp = b, op = output)
        {
            var work = _work ??= new Work();
            work.Set(kind, rp, rows, cp, columns.Length, ei, entryIndex.Length, heads, ap, a.Length, bp, b.Length, width, op, output.Length, accumulate);
            try
            {
                work.Start(rowPointers, (long)rowPointers[rows] * Math.Max(width, heads) * (kind == Kind.Softmax || kind == Kind.SoftmaxGrad ? 8 : 1));
            }
            finally
            {
                work.Clear();
            }
        }
    }

    private sealed unsafe class Work : RowRanges
    {
        private Kind _kind;
        private int* _rowPointers, _columns, _entryIndex;
        private float* _a, _b, _output;
        private int _rows, _columnCount, _entryCount, _heads, _aLength, _bLength, _width, _outputLength;
        private bool _accumulate;

        public void Set(Kind kind, int* rowPointers, int rows, int* columns, int columnCount, int* entryIndex, int entryCount, int heads,
            float* a, int aLength, float* b, int bLength, int width, float* output, int outputLength, bool accumulate)
        {
            _rowPointers = rowPointers;
            _columns = columns;
            _entryIndex = entryIndex;
            _a = a;
            _b = b;
            _output = output;
            (_kind, _rows, _columnCount, _entryCount, _heads) = (kind, rows, columnCount, entryCount, heads);
            (_aLength, _bLength, _width, _outputLength, _accumulate) = (aLength, bLength, width, outputLength, accumulate);
        }

        public void Start(ReadOnlySpan<int> rowPointers, long work) => Run(rowPointers, work);

        public void Clear()
        {
            _rowPointers = _columns = _entryIndex = null;
            _a = _b = _output = null;
        }

        protected override void RunRows(int r0, int r1)
        {
            var rp = new ReadOnlySpan<int>(_rowPointers, _rows + 1);
            var cols = new ReadOnlySpan<int>(_columns, _columnCount);
            var a = new ReadOnlySpan<float>(_a, _aLength);
            var b = new ReadOnlySpan<float>(_b, _bLength);
            var output = new Span<float>(_output, _outputLength);
            switch (_kind)
            {
                case Kind.GatherRows: GatherRowsRange(r0, r1, rp, _heads, a, output); break;
                case Kind.GatherColumns: GatherColumnsRange(r0, r1, rp, cols, _heads, a, output); break;
                case Kind.SumRows: SumRowsRange(r0, r1, rp, new ReadOnlySpan<int>(_entryIndex, _entryCount), _heads, a, output, _accumulate); break;
                case Kind.Softmax: SoftmaxRange(r0, r1, rp, _heads, a, output); break;
                case Kind.SoftmaxGrad: SoftmaxGradRange(r0, r1, rp, _heads, a, b, output, _accumulate); break;
                case Kind.EntryDots: EntryDotsRange(r0, r1, rp, cols, _heads, a, b, _width, output, _accumulate); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherRowsRange(int r0, int r1, ReadOnlySpan<int> rp, int heads, ReadOnlySpan<float> x, Span<float> edges)
    {
        for (int r = r0; r < r1; r++)
        {
            var node = x.Slice(r * heads, heads);
            for (int p = rp[r]; p < rp[r + 1]; p++) node.CopyTo(edges.Slice(p * heads, heads));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherColumnsRange(int r0, int r1, ReadOnlySpan<int> rp, ReadOnlySpan<int> columns, int heads, ReadOnlySpan<float> x, Span<float> edges)
    {
        for (int p = rp[r0]; p < rp[r1]; p++)
        {
            int c = columns[p];
            if ((long)(c + 1) * heads > x.Length || c < 0)
                throw new ArgumentException($"GatherColumns: entry {p} has column {c}, outside the {x.Length / heads} rows of x");
            x.Slice(c * heads, heads).CopyTo(edges.Slice(p * heads, heads));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumRowsRange(int r0, int r1, ReadOnlySpan<int> rp, ReadOnlySpan<int> entryIndex, int heads, ReadOnlySpan<float> edges, Span<float> x, bool accumulate)
    {
        Span<float> sum = heads <= 64 ? stackalloc float[heads] : new float[heads];
        for (int r = r0; r < r1; r++)
        {
            sum.Clear();
            for (int p = rp[r]; p < rp[r + 1]; p++)
            {
                int q = entryIndex.IsEmpty ? p : entryIndex[p];
                var e = edges.Slice(q * heads, heads);
                for (int h = 0; h < heads; h++) sum[h] += e[h];
            }
            var dst = x.Slice(r * heads, heads);
            if (accumulate) Primitives.Add(dst, sum, dst);
            else sum.CopyTo(dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxRange(int r0, int r1, ReadOnlySpan<int> rp, int heads, ReadOnlySpan<float> s, Span<float> y)
    {
        for (int r = r0; r < r1; r++)
        {
            int p0 = rp[r], p1 = rp[r + 1];
            for (int h = 0; h < heads; h++)
            {
                float max = float.NegativeInfinity;
                for (int p = p0; p < p1; p++) max = MathF.Max(max, s[p * heads + h]);
                float total = 0f;
                for (int p = p0; p < p1; p++)
                {
                    float e = MathF.Exp(s[p * heads + h] - max);
                    y[p * heads + h] = e;
                    total += e;
                }
                float inv = 1f / total;
                for (int p = p0; p < p1; p++) y[p * heads + h] *= inv;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxGradRange(int r0, int r1, ReadOnlySpan<int> rp, int heads, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, bool accumulate)
    {
        for (int r = r0; r < r1; r++)
        {
            int p0 = rp[r], p1 = rp[r + 1];
            for (int h = 0; h < heads; h++)
            {
                float dot = 0f;
                for (int p = p0; p < p1; p++) dot += y[p * heads + h] * g[p * heads + h];
                for (int p = p0; p < p1; p++)
                {
                    int i = p * heads + h;
                    float d = y[i] * (g[i] - dot);
                    dx[i] = accumulate ? dx[i] + d : d;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EntryDotsRange(int r0, int r1, ReadOnlySpan<int> rp, ReadOnlySpan<int> columns, int heads, ReadOnlySpan<float> g, ReadOnlySpan<float> x,
        int width, Span<float> dv, bool accumulate)
    {
        int headWidth = width / heads;
        for (int r = r0; r < r1; r++)
        {
            var gRow = g.Slice(r * width, width);
            for (int p = rp[r]; p < rp[r + 1]; p++)
            {
                int c = columns[p];
                if (c < 0 || (long)(c + 1) * width > x.Length)
                    throw new ArgumentException($"EntryDots: entry {p} has column {c}, outside the {x.Length / width} rows of X");
                var xRow = x.Slice(c * width, width);
                for (int h = 0; h < heads; h++)
                {
                    float d = Primitives.Dot(gRow.Slice(h * headWidth, headWidth), xRow.Slice(h * headWidth, headWidth));
                    int i = p * heads + h;
                    dv[i] = accumulate ? dv[i] + d : d;
                }
            }
        }
    }
}
