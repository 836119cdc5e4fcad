namespace Nabla.Tensors;

// Tensors made by these public creation functions are ordinary GC objects even inside a
// TensorScope: they are the user's constants and inputs, and recycling them when a scope ends would
// corrupt any that outlive it (a fixture created lazily inside a step, say). Only the results of
// operations are pooled by scopes.
public sealed partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params ReadOnlySpan<int> shape) => Zeros(new Shape(shape));

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape) => Owned(shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params ReadOnlySpan<int> shape) => Full(new Shape(shape), 1f);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape) => Full(shape, 1f);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, float value)
    {
        var t = Owned(shape);
        t.AsSpan().Fill(value);
        return t;
    }

    /// <summary>A zero-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(float value) => Full(new Shape(), value);

    /// <summary>A tensor of zeros shaped like <paramref name="other"/>.</summary>
    public static Tensor ZerosLike(Tensor other) => Zeros(other.Shape);

    /// <summary>
    /// A tensor holding a copy of <paramref name="data"/> with the given shape (a 1-D tensor of
    /// its length when no shape is given).
    /// </summary>
    /// <exception cref="ShapeMismatchException">The shape's element count differs from the data's length.</exception>
    public static Tensor FromArray(float[] data, params ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        var s = shape.Length == 0 ? new Shape(data.Length) : new Shape(shape);
        if (s.Numel != data.Length)
            throw new ShapeMismatchException($"FromArray: {data.Length} values cannot fill shape {s} ({s.Numel} elements)");
        var t = Owned(s);
        data.CopyTo(t.AsSpan());
        return t;
    }

    /// <summary>A 2-D tensor holding a copy of a rectangular array.</summary>
    public static Tensor FromArray(float[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int rows = data.GetLength(0), cols = data.GetLength(1);
        var t = Owned(new Shape(rows, cols));
        var span = t.AsSpan();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                span[i * cols + j] = data[i, j];
        return t;
    }

    /// <summary>Values start, start+step, … below <paramref name="end"/>, as in <c>torch.arange</c>.</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || float.IsNaN(step)) throw new ArgumentOutOfRangeException(nameof(step), "Arange: step must be non-zero");
        int n = Math.Max(0, (int)Math.Ceiling((end - start) / step));
        var t = Owned(new Shape(n));
        var span = t.AsSpan();
        for (int i = 0; i < n; i++) span[i] = start + i * step;
        return t;
    }

    /// <summary>Values 0, 1, …, <paramref name="end"/>−1.</summary>
    public static Tensor Arange(int end) => Arange(0, end);

    /// <summary>Uniform samples in [0, 1) drawn from <paramref name="rng"/>.</summary>
    public static Tensor Rand(Shape shape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Owned(shape);
        rng.FillUniform(t.AsSpan());
        return t;
    }

    /// <summary>Standard normal samples drawn from <paramref name="rng"/>.</summary>
    public static Tensor Randn(Shape shape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Owned(shape);
        rng.FillNormal(t.AsSpan());
        return t;
    }

    /// <summary>The <paramref name="n"/>×<paramref name="n"/> identity matrix.</summary>
    public static Tensor Eye(int n)
    {
        var t = Zeros(n, n);
        var span = t.AsSpan();
        for (int i = 0; i < n; i++) span[i * n + i] = 1f;
        return t;
    }
}

