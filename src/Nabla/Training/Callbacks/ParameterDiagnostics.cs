using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training.Callbacks;

/// <summary>
/// What <see cref="Diagnostics"/> records of one parameter, one value per epoch: the gradient norm
/// ‖∂E/∂p‖ and the update ratio ‖Δp‖/‖p‖ (means over the epoch's steps) and the norm ‖p‖ at the
/// epoch's end.
/// </summary>
public sealed class ParameterDiagnostics
{
    private readonly Tensor _tensor;
    private readonly float[] _before;
    private readonly List<double> _gradientNorm = [], _weightNorm = [], _updateRatio = [];
    private double _gradientSum, _ratioSum;
    private int _gradientSteps, _ratioSteps;
    private bool _holdsBefore;

    internal ParameterDiagnostics(string name, ParameterRole role, Tensor tensor)
    {
        Name = name;
        Role = role;
        _tensor = tensor;
        _before = new float[tensor.Numel];
    }

    /// <summary>The dotted state-dict name, e.g. <c>0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>What the parameter is for; warnings about gradients and updates look at weights.</summary>
    public ParameterRole Role { get; }

    /// <summary>The parameter itself.</summary>
    internal Tensor Tensor => _tensor;

    /// <summary>Per epoch: the mean over its steps of the L2 norm of the gradient ‖∂E/∂p‖ (NaN when no step gave it one).</summary>
    public IReadOnlyList<double> GradientNorm => _gradientNorm;

    /// <summary>Per epoch: the L2 norm ‖p‖ at the end of the epoch.</summary>
    public IReadOnlyList<double> WeightNorm => _weightNorm;

    /// <summary>
    /// Per epoch: the mean of ‖Δp‖/‖p‖ over its measured steps (see <see cref="Diagnostics.UpdateRatioEvery"/>),
    /// the size of each update relative to the parameter (around 1e-3 is healthy; near 1 the step
    /// overwrites what was learnt).
    /// </summary>
    public IReadOnlyList<double> UpdateRatio => _updateRatio;

    /// <summary>η of the parameter's group at the last epoch's end; 0 for a parameter the optimizer leaves alone.</summary>
    internal float LearningRate { get; set; }

    /// <summary>
    /// Reads the finished gradient before the optimizer's step and, when <paramref name="measureUpdate"/>,
    /// keeps p to measure the step's update; false when the gradient is not finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal bool BeforeStep(bool measureUpdate)
    {
        _holdsBefore = false;
        if (_tensor.Grad is not { } grad) return true;
        double squares = Reductions.SumOfSquaresAsDouble(grad.ReadOnlyData, KernelPaths.Best);
        _gradientSum += Math.Sqrt(squares);
        _gradientSteps++;
        if (measureUpdate)
        {
            _tensor.ReadOnlyData.CopyTo(_before);
            _holdsBefore = true;
        }
        return double.IsFinite(squares);
    }

    /// <summary>After the step: adds ‖p − p_before‖/‖p‖ to the epoch's mean.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AfterStep()
    {
        if (!_holdsBefore) return;
        _holdsBefore = false;
        var p = _tensor.ReadOnlyData;
        Primitives.Subtract(p, _before, _before);
        double change = Reductions.SumOfSquaresAsDouble(_before, KernelPaths.Best);
        double size = Reductions.SumOfSquaresAsDouble(p, KernelPaths.Best);
        if (size > 0)
        {
            _ratioSum += Math.Sqrt(change / size);
            _ratioSteps++;
        }
    }

    /// <summary>Closes the epoch's figures and starts the next epoch's.</summary>
    internal void EndEpoch()
    {
        _gradientNorm.Add(_gradientSteps > 0 ? _gradientSum / _gradientSteps : double.NaN);
        _updateRatio.Add(_ratioSteps > 0 ? _ratioSum / _ratioSteps : double.NaN);
        _weightNorm.Add(Math.Sqrt(Reductions.SumOfSquaresAsDouble(_tensor.ReadOnlyData, KernelPaths.Best)));
        _gradientSum = _ratioSum = 0;
        _gradientSteps = _ratioSteps = 0;
    }
}
