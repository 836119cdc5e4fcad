using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training.Callbacks;

/// <summary>
/// What <see cref="Diagnostics"/> records of one layer's outputs over each epoch's training
/// batches: mean and standard deviation, and for ReLU layers the fraction of dead units (never
/// positive on any batch of the epoch), for sigmoid and tanh layers the fraction of saturated
/// outputs (within <see cref="SaturationMargin"/> of the function's bounds, where its derivative
/// is below 4 % of its peak).
/// </summary>
public sealed class LayerDiagnostics
{
    /// <summary>How close to a bound (0 or 1 for sigmoid, ±1 for tanh) an output counts as saturated.</summary>
    public const float SaturationMargin = 0.01f;

    private readonly List<double> _mean = [], _std = [], _dead = [], _saturated = [];
    private double _sum, _squares;
    private long _count, _saturatedCount;
    private float[] _unitMax = [];

    internal LayerDiagnostics(string name, Module module)
    {
        Name = name;
        Description = module.Describe();
        var activation = module is Dense d ? d.Activation : module;
        Activation = activation switch
        {
            ReLU => "relu",
            Sigmoid => "sigmoid",
            Tanh => "tanh",
            _ => null,
        };
    }

    /// <summary>The layer's state-dict prefix in the model (<c>2</c> for the third layer of a <see cref="Sequential"/>).</summary>
    public string Name { get; }

    /// <summary>The module's description, e.g. <c>Dense(64 → 32)</c> or <c>ReLU</c>.</summary>
    public string Description { get; }

    /// <summary><c>relu</c>, <c>sigmoid</c> or <c>tanh</c> when the layer ends with that activation (its own or a built-in one), else null.</summary>
    public string? Activation { get; }

    /// <summary>Per epoch: the mean of the layer's outputs.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>Per epoch: the standard deviation of the layer's outputs.</summary>
    public IReadOnlyList<double> Std => _std;

    /// <summary>Per epoch: the fraction of units (features; channels of images) that were never positive (NaN unless ReLU).</summary>
    public IReadOnlyList<double> DeadFraction => _dead;

    /// <summary>Per epoch: the fraction of outputs within <see cref="SaturationMargin"/> of the bounds (NaN unless sigmoid or tanh).</summary>
    public IReadOnlyList<double> SaturatedFraction => _saturated;

    /// <summary>Adds one batch's outputs <c>[N, …]</c>; false when any of them is NaN or infinite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool Observe(Tensor output)
    {
        var values = output.IsContiguous ? output.ReadOnlyData : (ReadOnlySpan<float>)output.ToArray();
        double sum = Reductions.SumAsDouble(values, KernelPaths.Best);
        double squares = Reductions.SumOfSquaresAsDouble(values, KernelPaths.Best);
        _sum += sum;
        _squares += squares;
        _count += values.Length;
        if (Activation == "relu") TrackActiveUnits(values, output.Shape);
        else if (Activation is not null) _saturatedCount += CountSaturated(values, Activation == "tanh" ? -1f : 0f);
        // Squares of floats cannot overflow a double, so a non-finite sum means a non-finite value.
        return double.IsFinite(sum) && double.IsFinite(squares);
    }

    /// <summary>Closes the epoch's figures and starts the next epoch's.</summary>
    internal void EndEpoch()
    {
        double mean = _count > 0 ? _sum / _count : double.NaN;
        _mean.Add(mean);
        _std.Add(_count > 0 ? Math.Sqrt(Math.Max(0, _squares / _count - mean * mean)) : double.NaN);
        _dead.Add(Activation == "relu" && _unitMax.Length > 0 ? DeadUnits() / (double)_unitMax.Length : double.NaN);
        _saturated.Add(Activation is "sigmoid" or "tanh" && _count > 0 ? _saturatedCount / (double)_count : double.NaN);
        _sum = _squares = 0;
        _count = _saturatedCount = 0;
        _unitMax.AsSpan().Fill(float.NegativeInfinity);
    }

    // A unit is a feature of [N, F] outputs, a channel of [N, C, …] ones: its running maximum over the epoch.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TrackActiveUnits(ReadOnlySpan<float> values, Shape shape)
    {
        int rows = shape.Rank == 0 ? 1 : shape[0];
        int units = shape.Rank < 2 ? 1 : shape[1];
        int inner = shape.Rank < 3 ? 1 : values.Length / Math.Max(1, rows * units);
        if (_unitMax.Length != units)
        {
            _unitMax = new float[units];
            _unitMax.AsSpan().Fill(float.NegativeInfinity);
        }
        if (rows == 0 || units == 0) return;
        if (inner == 1)
        {
            for (int r = 0; r < rows; r++) Primitives.Max(values.Slice(r * units, units), _unitMax, _unitMax);
            return;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < units; c++)
            {
                float m = Primitives.Max(values.Slice((r * units + c) * inner, inner));
                if (m > _unitMax[c]) _unitMax[c] = m;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int DeadUnits()
    {
        int dead = 0;
        foreach (float m in _unitMax) if (!(m > 0)) dead++;
        return dead;
    }

    // Sigmoid outputs lie in (0, 1) and tanh's in (−1, 1): saturated within the margin of either bound.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long CountSaturated(ReadOnlySpan<float> values, float lower)
    {
        float lo = lower + SaturationMargin, hi = 1f - SaturationMargin;
        long n = 0;
        foreach (float v in values) if (v < lo || v > hi) n++;
        return n;
    }
}
