using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// An immutable sparse matrix <c>[Rows, Columns]</c> in compressed sparse row (CSR) form, the
/// layout of PyTorch's <c>torch.sparse_csr_tensor</c>: row r's entries are positions
/// <c>[RowPointers[r], RowPointers[r + 1])</c> of <see cref="ColumnIndices"/> (strictly increasing
/// within a row) and of <see cref="Values"/>, which is empty for a binary matrix (every stored entry
/// is 1). A graph's adjacency (<see cref="Graph.Adjacency"/>) and sparse bag-of-words features
/// (<see cref="BagOfWords.Transform"/>) are both this type; <c>Nabla.Autograd</c> multiplies it
/// with dense tensors (<c>a.MatMul(x)</c>, <c>features.Linear(w, b)</c>).
/// </summary>
public sealed class CsrMatrix
{
    private readonly int[] _rowPointers;
    private readonly int[] _columns;
    private readonly float[]? _values;
    private CsrTranspose? _transpose;

    /// <summary>
    /// A matrix from its CSR arrays, copied. Use <see cref="FromEntries"/> to build one from
    /// (row, column, value) triples in any order.
    /// </summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns.</param>
    /// <param name="rowPointers">rows + 1 non-decreasing offsets starting at 0.</param>
    /// <param name="columnIndices">Column of each entry, strictly increasing within each row.</param>
    /// <param name="values">One value per entry, or null for a binary matrix.</param>
    /// <exception cref="ArgumentException">The arrays do not describe a CSR matrix of that size; names the first fault.</exception>
    public CsrMatrix(int rows, int columns, ReadOnlySpan<int> rowPointers, ReadOnlySpan<int> columnIndices, ReadOnlySpan<float> values = default)
        : this(rows, columns, rowPointers.ToArray(), columnIndices.ToArray(), values.IsEmpty ? null : values.ToArray())
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (_rowPointers.Length != rows + 1 || _rowPointers[0] != 0 || _rowPointers[rows] != _columns.Length)
            throw new ArgumentException($"CsrMatrix: {rows} rows need {rows + 1} row pointers from 0 to {columnIndices.Length}, got {rowPointers.Length}");
        if (_values is not null && _values.Length != _columns.Length)
            throw new ArgumentException($"CsrMatrix: {_columns.Length} entries but {_values.Length} values");
        for (int r = 0; r < rows; r++)
        {
            if (_rowPointers[r + 1] < _rowPointers[r]) throw new ArgumentException($"CsrMatrix: row pointer {r + 1} ({_rowPointers[r + 1]}) is below row pointer {r} ({_rowPointers[r]})");
            for (int p = _rowPointers[r]; p < _rowPointers[r + 1]; p++)
            {
                int c = _columns[p];
                if ((uint)c >= (uint)columns) throw new ArgumentException($"CsrMatrix: entry {p} of row {r} has column {c}, outside 0..{columns - 1}");
                if (p > _rowPointers[r] && c <= _columns[p - 1]) throw new ArgumentException($"CsrMatrix: the columns of row {r} are not strictly increasing at entry {p}");
            }
        }
    }

    // Takes ownership of the arrays: valid ones from this library, or the public constructor's
    // copies, which it validates next.
    private CsrMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, float[]? values)
    {
        Rows = rows;
        Columns = columns;
        _rowPointers = rowPointers;
        _columns = columnIndices;
        _values = values;
    }

    internal static CsrMatrix Trusted(int rows, int columns, int[] rowPointers, int[] columnIndices, float[]? values) =>
        new(rows, columns, rowPointers, columnIndices, values);

    /// <summary>
    /// A matrix from (row, column, value) triples in any order, like
    /// <c>torch.sparse_coo_tensor(...).coalesce()</c>: entries at the same position are summed (a
    /// binary matrix, given no values, keeps one).
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length or an index is outside the matrix.</exception>
    public static CsrMatrix FromEntries(int rows, int columns, ReadOnlySpan<int> rowIndices, ReadOnlySpan<int> columnIndices, ReadOnlySpan<float> values = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        int n = rowIndices.Length;
        if (columnIndices.Length != n || (!values.IsEmpty && values.Length != n))
            throw new ArgumentException($"CsrMatrix.FromEntries: {n} row indices, {columnIndices.Length} column indices and {values.Length} values differ in length");
        for (int i = 0; i < n; i++)
            if ((uint)rowIndices[i] >= (uint)rows || (uint)columnIndices[i] >= (uint)columns)
                throw new ArgumentException($"CsrMatrix.FromEntries: entry {i} at ({rowIndices[i]}, {columnIndices[i]}) is outside the {rows} × {columns} matrix");
        // Two stable counting sorts (by column, then by row) order the entries by (row, column).
        var byColumn = CountingOrder(columnIndices, columns, null);
        var order = CountingOrder(rowIndices, rows, byColumn);
        var rowPointers = new int[rows + 1];
        var cols = new List<int>(n);
        var vals = values.IsEmpty ? null : new List<float>(n);
        int row = 0;
        for (int k = 0; k < n; k++)
        {
            int i = order[k], r = rowIndices[i], c = columnIndices[i];
            while (row < r) rowPointers[++row] = cols.Count;
            if (cols.Count > rowPointers[r] && cols[^1] == c)
            {
                if (vals is not null) vals[^1] += values[i];
                continue;
            }
            cols.Add(c);
            vals?.Add(values[i]);
        }
        while (row < rows) rowPointers[++row] = cols.Count;
        return new CsrMatrix(rows, columns, rowPointers, cols.ToArray(), vals?.ToArray());
    }

    // Positions 0..n-1 (or `within`, already ordered by another key) stably ordered by key.
    private static int[] CountingOrder(ReadOnlySpan<int> keys, int keyCount, int[]? within)
    {
        var start = new int[keyCount + 1];
        foreach (int k in keys) start[k + 1]++;
        for (int k = 0; k < keyCount; k++) start[k + 1] += start[k];
        var order = new int[keys.Length];
        for (int j = 0; j < keys.Length; j++)
        {
            int i = within is null ? j : within[j];
            order[start[keys[i]]++] = i;
        }
        return order;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Number of stored entries.</summary>
    public int NonZeroCount => _columns.Length;

    /// <summary>Rows + 1 offsets into <see cref="ColumnIndices"/> and <see cref="Values"/>.</summary>
    public ReadOnlySpan<int> RowPointers => _rowPointers;

    /// <summary>The column of each stored entry, row by row.</summary>
    public ReadOnlySpan<int> ColumnIndices => _columns;

    /// <summary>The value of each stored entry, or empty for a binary matrix (every entry 1).</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>True when the matrix stores no values: every stored entry is 1.</summary>
    public bool IsBinary => _values is null;

    /// <summary>The columns of row <paramref name="row"/>'s entries.</summary>
    public ReadOnlySpan<int> RowColumns(int row) => _columns.AsSpan(_rowPointers[row], _rowPointers[row + 1] - _rowPointers[row]);

    /// <summary>The stored value at (row, column), 0 when no entry is stored there.</summary>
    public float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Rows, nameof(row));
            int p = Array.BinarySearch(_columns, _rowPointers[row], _rowPointers[row + 1] - _rowPointers[row], column);
            return p < 0 ? 0f : _values?[p] ?? 1f;
        }
    }

    /// <summary>The same structure with other entry values (one per entry, or null for binary).</summary>
    internal CsrMatrix WithValues(float[]? values) => new(Rows, Columns, _rowPointers, _columns, values) { _transpose = _transpose };

    /// <summary>The matrix as a dense tensor <c>[Rows, Columns]</c> (for small matrices and tests).</summary>
    public Tensor ToDense()
    {
        var dense = new float[(long)Rows * Columns];
        for (int r = 0; r < Rows; r++)
            for (int p = _rowPointers[r]; p < _rowPointers[r + 1]; p++)
                dense[(long)r * Columns + _columns[p]] = _values?[p] ?? 1f;
        return Tensor.FromArray(dense, Rows, Columns);
    }

    /// <summary>A new matrix of the given rows, in that order (a mini-batch's features).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the matrix.</exception>
    public CsrMatrix SelectRows(ReadOnlySpan<int> rows)
    {
        var pointers = new int[rows.Length + 1];
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i];
            if ((uint)r >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(rows), $"row {r} at position {i} is outside 0..{Rows - 1}");
            pointers[i + 1] = pointers[i] + _rowPointers[r + 1] - _rowPointers[r];
        }
        var cols = new int[pointers[rows.Length]];
        var vals = _values is null ? null : new float[cols.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int r = rows[i], from = _rowPointers[r], count = _rowPointers[r + 1] - from;
            Array.Copy(_columns, from, cols, pointers[i], count);
            if (vals is not null) Array.Copy(_values!, from, vals, pointers[i], count);
        }
        return new CsrMatrix(rows.Length, Columns, pointers, cols, vals);
    }

    /// <summary>
    /// The structure of the transpose (entries grouped by column, rows increasing within a column),
    /// built once on first use: backward passes compute Aᵀ·G over it.
    /// </summary>
    internal CsrTranspose Transposed => Volatile.Read(ref _transpose) ?? BuildTranspose();

    private CsrTranspose BuildTranspose()
    {
        var t = CsrTranspose.Of(this);
        return Interlocked.CompareExchange(ref _transpose, t, null) ?? t;
    }

    /// <summary><c>CsrMatrix([rows, columns], nnz=N, binary)</c>.</summary>
    public override string ToString() => $"CsrMatrix([{Rows}, {Columns}], nnz={NonZeroCount}{(IsBinary ? ", binary" : "")})";
}

/// <summary>
/// The transpose of a <see cref="CsrMatrix"/>'s structure: for each column c, the positions
/// <c>[RowPointers[c], RowPointers[c + 1])</c> list the original rows (<see cref="Rows"/>,
/// increasing) and the original entry positions (<see cref="Entries"/>) of that column's entries.
/// </summary>
internal sealed class CsrTranspose
{
    private CsrTranspose(int[] rowPointers, int[] rows, int[] entries)
    {
        RowPointers = rowPointers;
        Rows = rows;
        Entries = entries;
    }

    public int[] RowPointers { get; }

    public int[] Rows { get; }

    public int[] Entries { get; }

    public static CsrTranspose Of(CsrMatrix a)
    {
        var pointers = new int[a.Columns + 1];
        var columns = a.ColumnIndices;
        foreach (int c in columns) pointers[c + 1]++;
        for (int c = 0; c < a.Columns; c++) pointers[c + 1] += pointers[c];
        var next = pointers.AsSpan(0, a.Columns).ToArray();
        var rows = new int[columns.Length];
        var entries = new int[columns.Length];
        var rp = a.RowPointers;
        for (int r = 0; r < a.Rows; r++)
            for (int p = rp[r]; p < rp[r + 1]; p++)
            {
                int slot = next[columns[p]]++;
                rows[slot] = r;
                entries[slot] = p;
            }
        return new CsrTranspose(pointers, rows, entries);
    }
}
