using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Batch normalization over NCHW batches, as PyTorch's <c>nn.BatchNorm2d</c>:
/// y = (x − μ_c)/√(σ²_c + ε)·γ_c + β_c with statistics per channel over N, H and W.
/// </summary>
/// <remarks>
/// Training uses the batch mean and biased variance and updates the running statistics in place,
/// r ← (1 − m)·r + m·s with the UNBIASED batch variance σ²·M/(M − 1) (M = N·H·W), and
/// <c>num_batches_tracked</c> += 1; momentum null means the cumulative average m = 1/tracked.
/// Evaluation uses the running statistics. Names as PyTorch: parameters <c>weight</c> (γ, ones)
/// and <c>bias</c> (β, zeros) when affine; buffers <c>running_mean</c>, <c>running_var</c>,
/// <c>num_batches_tracked</c>. Forward and backward are one fused op (<c>BatchNormChannels</c>).
/// </remarks>
public sealed class BatchNorm2d : Module
{
    private readonly Tensor _gamma;
    private readonly Tensor _beta;
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVar;
    private readonly Tensor _numBatchesTracked;

    /// <summary>Batch norm over <paramref name="numFeatures"/> channels.</summary>
    /// <param name="numFeatures">C, the size of axis 1.</param>
    /// <param name="eps">ε added to the variance.</param>
    /// <param name="momentum">Weight of the new batch in the running statistics; null for a cumulative average.</param>
    /// <param name="affine">Whether to learn γ and β (otherwise γ = 1, β = 0 fixed).</param>
    public BatchNorm2d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"BatchNorm2d eps must be > 0, got {eps}");
        if (momentum is { } mo && !(mo >= 0 && mo <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNorm2d momentum must be in [0, 1], got {mo}");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        var shape = new Shape(numFeatures);
        _gamma = Tensor.Persistent(shape);
        _gamma.AsSpan().Fill(1f);
        _beta = Tensor.Persistent(shape);
        if (affine)
        {
            RegisterParameter("weight", _gamma);
            RegisterParameter("bias", _beta);
        }
        _runningMean = RegisterBuffer("running_mean", Tensor.Persistent(shape));
        _runningVar = Tensor.Persistent(shape);
        _runningVar.AsSpan().Fill(1f);
        RegisterBuffer("running_var", _runningVar);
        _numBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Persistent(new Shape(1)));
    }

    /// <summary>C, the number of channels.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of the new batch in the running statistics, or null for a cumulative average.</summary>
    public float? Momentum { get; }

    /// <summary>Whether γ and β are learned.</summary>
    public bool Affine { get; }

    /// <summary>γ, shape [C], or null when not affine.</summary>
    public Tensor? Weight => Affine ? _gamma : null;

    /// <summary>β, shape [C], or null when not affine.</summary>
    public Tensor? Bias => Affine ? _beta : null;

    /// <summary>Running mean per channel, shape [C].</summary>
    public Tensor RunningMean => _runningMean;

    /// <summary>Running unbiased variance per channel, shape [C].</summary>
    public Tensor RunningVar => _runningVar;

    /// <summary>Training batches seen.</summary>
    public long NumBatchesTracked => (long)_numBatchesTracked.AsSpan()[0];

    /// <summary>Normalizes x [N, C, H, W] per channel with batch (training) or running (evaluation) statistics.</summary>
    /// <exception cref="ShapeMismatchException">x is not [N, C, H, W] with C = NumFeatures.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Shape[1] != NumFeatures)
            throw new ShapeMismatchException($"BatchNorm2d({NumFeatures}) expects [N, {NumFeatures}, H, W], got {input.Shape}");
        float m = 0f;
        if (IsTraining)
        {
            var tracked = _numBatchesTracked.AsSpan();
            tracked[0] += 1;
            m = Momentum ?? 1f / tracked[0];
        }
        return input.BatchNormChannels(_gamma, _beta, _runningMean, _runningVar, IsTraining, m, Eps);
    }

    /// <summary><c>BatchNorm2d(64)</c>.</summary>
    public override string Describe() => $"BatchNorm2d({NumFeatures.ToString(CultureInfo.InvariantCulture)})";
}
