using System.Runtime.CompilerServices;
using System.Text;

namespace Nabla.Tensors;

/// <summary>Fixed room for up to <see cref="Shape.MaxRank"/> dimensions, stored inline so shapes never allocate.</summary>
[InlineArray(Shape.MaxRank)]
internal struct DimBuffer
{
    private int _element0;
}

/// <summary>
/// The sizes of a tensor's dimensions, outermost first (row-major). A value type with inline
/// storage: creating, copying and comparing shapes allocates nothing.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>The largest number of dimensions a tensor may have.</summary>
    public const int MaxRank = 8;

    private readonly DimBuffer _dims;

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank { get; }

    /// <summary>Creates a shape from dimension sizes; each must be ≥ 0.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxRank"/> dimensions or a negative size.</exception>
    public Shape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank)
            throw new ArgumentException($"a tensor has at most {MaxRank} dimensions, got {dims.Length}", nameof(dims));
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
                throw new ArgumentException($"dimension {i} of shape {Format(dims)} is negative", nameof(dims));
            _dims[i] = dims[i];
        }
        Rank = dims.Length;
    }

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => _dims[NormalizeAxis(axis)];

    /// <summary>Total number of elements: the product of all sizes (1 for a scalar).</summary>
    public int Numel
    {
        get
        {
            long n = 1;
            for (int i = 0; i < Rank; i++) n = checked(n * _dims[i]);
            return checked((int)n);
        }
    }

    /// <summary>The sizes as a new array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int[] ToArray()
    {
        var a = new int[Rank];
        for (int i = 0; i < Rank; i++) a[i] = _dims[i];
        return a;
    }

    /// <summary>Copies the sizes into <paramref name="destination"/> (length ≥ <see cref="Rank"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyTo(Span<int> destination)
    {
        for (int i = 0; i < Rank; i++) destination[i] = _dims[i];
    }

    /// <summary>Turns a possibly negative axis into 0..Rank-1, or throws naming the shape.</summary>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if ((uint)a >= (uint)Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} is out of range for shape {this}");
        return a;
    }

    /// <summary>Product of the sizes of dimensions [start, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Product(int start, int end)
    {
        int n = 1;
        for (int i = start; i < end; i++) n *= _dims[i];
        return n;
    }

    /// <summary>A copy of this shape with dimension <paramref name="axis"/> set to <paramref name="size"/>.</summary>
    public Shape With(int axis, int size)
    {
        Span<int> d = stackalloc int[MaxRank];
        CopyTo(d);
        d[NormalizeAxis(axis)] = size;
        return new Shape(d[..Rank]);
    }

    /// <summary>A copy without dimension <paramref name="axis"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Shape Without(int axis)
    {
        int a = NormalizeAxis(axis);
        Span<int> d = stackalloc int[MaxRank];
        int r = 0;
        for (int i = 0; i < Rank; i++)
            if (i != a) d[r++] = _dims[i];
        return new Shape(d[..r]);
    }

    /// <summary>A copy with a new dimension of size <paramref name="size"/> inserted before <paramref name="axis"/> (0..Rank).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Shape Insert(int axis, int size)
    {
        if (axis < 0) axis += Rank + 1;
        if ((uint)axis > (uint)Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"cannot insert a dimension at {axis} into shape {this}");
        Span<int> d = stackalloc int[MaxRank];
        int r = 0;
        for (int i = 0; i < Rank; i++)
        {
            if (i == axis) d[r++] = size;
            d[r++] = _dims[i];
        }
        if (axis == Rank) d[r++] = size;
        return new Shape(d[..r]);
    }

    /// <summary>
    /// The shape two operands broadcast to under NumPy's rules: align trailing dimensions; sizes
    /// must be equal or one of them 1.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shapes cannot broadcast; the message names <paramref name="op"/> and both shapes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> d = stackalloc int[MaxRank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a._dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b._dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException($"{op}: shapes {a} and {b} cannot be broadcast together");
            d[i] = da == 1 ? db : da;
        }
        return new Shape(d[..rank]);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Equals(Shape other)
    {
        if (Rank != other.Rank) return false;
        for (int i = 0; i < Rank; i++)
            if (_dims[i] != other._dims[i]) return false;
        return true;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override int GetHashCode()
    {
        var h = new HashCode();
        for (int i = 0; i < Rank; i++) h.Add(_dims[i]);
        return h.ToHashCode();
    }

    /// <summary>Equality of ranks and sizes.</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Inequality of ranks or sizes.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Formats as <c>[2, 3]</c>.</summary>
    public override string ToString()
    {
        Span<int> d = stackalloc int[MaxRank];
        CopyTo(d);
        return Format(d[..Rank]);
    }

    private static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(dims[i]);
        }
        return sb.Append(']').ToString();
    }
}
