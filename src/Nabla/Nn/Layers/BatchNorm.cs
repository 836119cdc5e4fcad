using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Batch normalization per channel (axis 1) of <c>[N, C, …]</c> inputs, the state and forward pass
/// shared by <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/>: y = (x − μ)/√(σ² + ε)·γ + β.
/// </summary>
/// <remarks>
/// Training: μ and σ² are the batch mean and biased variance over every axis but C; the running
/// statistics are updated in place, r ← (1 − m)·r + m·s, with s the batch mean and the UNBIASED
/// variance σ²·n/(n − 1), and <c>num_batches_tracked</c> += 1. With momentum null the update is the
/// cumulative average, m = 1/num_batches_tracked. Evaluation: μ, σ² are the running statistics.
/// Parameters <c>weight</c> (γ, ones) and <c>bias</c> (β, zeros) when affine; buffers
/// <c>running_mean</c> (zeros), <c>running_var</c> (ones), <c>num_batches_tracked</c> (one element) —
/// PyTorch's names. One fused operation (<c>BatchNormChannels</c>) does the work for every rank.
/// </remarks>
public abstract class BatchNorm : Module
{
    private readonly Tensor _gamma;
    private readonly Tensor _beta;
    private readonly Tensor _numBatchesTracked;

    /// <summary>Batch norm over <paramref name="numFeatures"/> channels.</summary>
    /// <param name="numFeatures">C, the size of axis 1.</param>
    /// <param name="eps">ε added to the variance for stability.</param>
    /// <param name="momentum">Weight of the new batch in the running statistics; null for a cumulative average.</param>
    /// <param name="affine">Whether to learn γ and β.</param>
    /// <exception cref="ArgumentOutOfRangeException">numFeatures &lt; 1, eps ≤ 0 or momentum outside [0, 1].</exception>
    protected BatchNorm(int numFeatures, float eps, float? momentum, bool affine)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"{GetType().Name} eps must be > 0, got {eps}");
        if (momentum is { } mo && !(mo >= 0 && mo <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"{GetType().Name} momentum must be in [0, 1], got {mo}");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        var shape = new Shape(numFeatures);
        // Without affine, γ = 1 and β = 0 still feed the fused op but are not parameters.
        _gamma = Tensor.Owned(shape);
        _gamma.AsSpan().Fill(1f);
        _beta = Tensor.Owned(shape);
        if (affine)
        {
            RegisterParameter("weight", _gamma, ParameterRole.Norm);
            RegisterParameter("bias", _beta, ParameterRole.Norm);
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Owned(shape));
        RunningVar = Tensor.Owned(shape);
        RunningVar.AsSpan().Fill(1f);
        RegisterBuffer("running_var", RunningVar);
        _numBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Owned(new Shape(1)));
    }

    /// <summary>C, the number of channels.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of the new batch in the running statistics, or null for a cumulative average.</summary>
    public float? Momentum { get; }

    /// <summary>Whether γ and β are learned.</summary>
    public bool Affine { get; }

    /// <summary>γ, shape <c>[C]</c>, or null when not affine.</summary>
    public Tensor? Weight => Affine ? _gamma : null;

    /// <summary>β, shape <c>[C]</c>, or null when not affine.</summary>
    public Tensor? Bias => Affine ? _beta : null;

    /// <summary>Running mean of each channel, shape <c>[C]</c>.</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running (unbiased) variance of each channel, shape <c>[C]</c>.</summary>
    public Tensor RunningVar { get; }

    /// <summary>Training batches seen (stored as a one-element tensor, like PyTorch's buffer).</summary>
    public long NumBatchesTracked => (long)_numBatchesTracked.AsSpan()[0];

    /// <summary>True when <paramref name="rank"/> is an input rank this layer accepts.</summary>
    protected abstract bool AcceptsRank(int rank);

    /// <summary>The accepted input shapes for error messages, e.g. <c>[N, 8, H, W]</c>.</summary>
    protected abstract string ExpectedShape { get; }

    /// <summary>Normalizes per channel with batch statistics (training) or running statistics (evaluation).</summary>
    /// <exception cref="ShapeMismatchException">The input rank or channel count does not fit; names both.</exception>
    /// <exception cref="ArgumentException">Training with a single value per channel (variance undefined).</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!AcceptsRank(input.Rank) || input.Shape[1] != NumFeatures)
            throw new ShapeMismatchException($"{Describe()} expects {ExpectedShape}, got {input.Shape}");
        float m = 0f;
        // Frozen (transfer learning): normalize with the running statistics and keep them, as in evaluation.
        bool batchStatistics = IsTraining && !IsFrozen;
        if (batchStatistics)
        {
            long perChannel = input.Numel / NumFeatures;
            if (perChannel < 2)
                throw new ArgumentException($"{Describe()} needs more than one value per channel in training, got input {input.Shape}", nameof(input));
            var tracked = _numBatchesTracked.AsSpan();
            tracked[0] += 1;
            m = Momentum ?? 1f / tracked[0];
        }
        return input.BatchNormChannels(_gamma, _beta, RunningMean, RunningVar, batchStatistics, m, Eps);
    }

    /// <summary><c>BatchNorm1d(64)</c>, <c>BatchNorm2d(32)</c>.</summary>
    public override string Describe() => $"{GetType().Name}({NumFeatures.ToString(CultureInfo.InvariantCulture)})";
}
