using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Per-feature standardisation z = (x − μ) / σ, scikit-learn's <c>StandardScaler</c>: μ and the
/// population σ (divide by N) are fitted on training data only, σ = 0 becomes 1 so constant
/// features map to 0. <see cref="InverseTransform"/> maps standardised regression outputs back.
/// </summary>
public sealed class Standardizer
{
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly int[] _featureShape;

    private Standardizer(float[] mean, float[] std, int[] featureShape)
    {
        _mean = mean;
        _std = std;
        _featureShape = featureShape;
    }

    /// <summary>Fits μ and σ over the rows of <paramref name="x"/> <c>[N, …]</c>, each trailing element being a feature.</summary>
    /// <exception cref="ShapeMismatchException">x has no rows.</exception>
    public static Standardizer Fit(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0 || x.Shape[0] == 0) throw new ShapeMismatchException($"standardizer needs at least one row, got {x.Shape}");
        int n = x.Shape[0], f = x.Numel / n;
        var data = x.ToArray();
        var sum = new double[f];
        var sq = new double[f];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++) sum[j] += data[i * f + j];
        var mean = new float[f];
        for (int j = 0; j < f; j++) mean[j] = (float)(sum[j] / n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < f; j++)
            {
                double d = data[i * f + j] - sum[j] / n;
                sq[j] += d * d;
            }
        var std = new float[f];
        for (int j = 0; j < f; j++)
        {
            float s = (float)Math.Sqrt(sq[j] / n);
            std[j] = s > 0 && float.IsFinite(s) ? s : 1f;
        }
        return new Standardizer(mean, std, x.Shape.ToArray()[1..]);
    }

    /// <summary>μ per feature.</summary>
    public Tensor Mean => Tensor.FromArray((float[])_mean.Clone(), _featureShape);

    /// <summary>σ per feature (1 where the training data were constant).</summary>
    public Tensor Std => Tensor.FromArray((float[])_std.Clone(), _featureShape);

    /// <summary>(x − μ) / σ as a new tensor.</summary>
    public Tensor Transform(Tensor x) => Map(x, inverse: false);

    /// <summary>z·σ + μ as a new tensor (undoes <see cref="Transform"/>).</summary>
    public Tensor InverseTransform(Tensor z) => Map(z, inverse: true);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Tensor Map(Tensor x, bool inverse)
    {
        ArgumentNullException.ThrowIfNull(x);
        int f = _mean.Length;
        if (x.Rank == 0 || x.Numel != x.Shape[0] * f)
            throw new ShapeMismatchException($"standardizer fitted on {f} features cannot transform {x.Shape}");
        var data = x.ToArray();
        for (int i = 0; i < data.Length; i++)
        {
            int j = i % f;
            data[i] = inverse ? data[i] * _std[j] + _mean[j] : (data[i] - _mean[j]) / _std[j];
        }
        return Tensor.FromArray(data, x.Shape.ToArray());
    }

    /// <summary>The fitted state as tensors <c>mean</c> and <c>std</c>, for saving with a model.</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() => new Dictionary<string, Tensor> { ["mean"] = Mean, ["std"] = Std };

    /// <summary>A standardizer from a saved <see cref="StateDict"/>.</summary>
    /// <exception cref="KeyNotFoundException">mean or std is missing.</exception>
    /// <exception cref="ShapeMismatchException">Their shapes differ.</exception>
    public static Standardizer FromStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.TryGetValue("mean", out var mean) || !state.TryGetValue("std", out var std))
            throw new KeyNotFoundException("standardizer state needs 'mean' and 'std'");
        if (mean.Shape != std.Shape) throw new ShapeMismatchException($"standardizer mean {mean.Shape} and std {std.Shape} differ");
        return new Standardizer(mean.ToArray(), std.ToArray(), mean.Shape.ToArray());
    }
}
