using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Batch normalization over <c>[N, C]</c> or <c>[N, C, L]</c>, as PyTorch's <c>nn.BatchNorm1d</c>:
/// y = (x − μ)/√(σ² + ε)·γ + β per channel C.
/// </summary>
/// <remarks>
/// Training: μ and σ² are the batch mean and biased variance over N (and L); the running
/// statistics are updated in place, r ← (1 − m)·r + m·s, with s the batch mean and the UNBIASED
/// variance σ²·n/(n − 1) (n = N·L), and <c>num_batches_tracked</c> += 1. With momentum null the
/// update is the cumulative average, m = 1/num_batches_tracked. Evaluation: μ, σ² are the running
/// statistics. Parameters <c>weight</c> (γ, ones) and <c>bias</c> (β, zeros) when affine; buffers
/// <c>running_mean</c> (zeros), <c>running_var</c> (ones), <c>num_batches_tracked</c> (one element).
/// </remarks>
public sealed class BatchNorm1d : Module
{
    private readonly Tensor? _weight;
    private readonly Tensor? _bias;
    private readonly Tensor _runningMean;
    private readonly Tensor _runningVar;
    private readonly Tensor _numBatchesTracked;

    /// <summary>Batch norm over <paramref name="numFeatures"/> channels.</summary>
    /// <param name="numFeatures">C, the size of axis 1.</param>
    /// <param name="eps">ε added to the variance for stability.</param>
    /// <param name="momentum">Weight of the new batch in the running statistics; null for a cumulative average.</param>
    /// <param name="affine">Whether to learn γ and β.</param>
    public BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"BatchNorm1d eps must be > 0, got {eps}");
        if (momentum is { } mo && !(mo >= 0 && mo <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNorm1d momentum must be in [0, 1], got {mo}");
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        using (TensorScope.Suspend())
        {
            var shape = new Shape(numFeatures);
            if (affine)
            {
                var w = Tensor.Persistent(shape);
                w.AsSpan().Fill(1f);
                _weight = RegisterParameter("weight", w);
                _bias = RegisterParameter("bias", Tensor.Persistent(shape));
            }
            _runningMean = RegisterBuffer("running_mean", Tensor.Persistent(shape));
            _runningVar = Tensor.Persistent(shape);
            _runningVar.AsSpan().Fill(1f);
            RegisterBuffer("running_var", _runningVar);
            _numBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Persistent(new Shape(1)));
        }
    }

    /// <summary>C, the number of channels.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of the new batch in the running statistics, or null for a cumulative average.</summary>
    public float? Momentum { get; }

    /// <summary>γ, shape <c>[C]</c>, or null when not affine.</summary>
    public Tensor? Weight => _weight;

    /// <summary>β, shape <c>[C]</c>, or null when not affine.</summary>
    public Tensor? Bias => _bias;

    /// <summary>Running mean of each channel, shape <c>[C]</c>.</summary>
    public Tensor RunningMean => _runningMean;

    /// <summary>Running (unbiased) variance of each channel, shape <c>[C]</c>.</summary>
    public Tensor RunningVar => _runningVar;

    /// <summary>Training batches seen (stored as a one-element tensor, like PyTorch's buffer).</summary>
    public long NumBatchesTracked => (long)_numBatchesTracked.AsSpan()[0];

    /// <summary>Normalizes per channel with batch statistics (training) or running statistics (evaluation).</summary>
    /// <exception cref="ShapeMismatchException">The input is not [N, C] or [N, C, L] with C = NumFeatures.</exception>
    /// <exception cref="ArgumentException">Training with a single value per channel (variance undefined).</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (2 or 3) || input.Shape[1] != NumFeatures)
            throw new ShapeMismatchException($"BatchNorm1d({NumFeatures}) expects [N, {NumFeatures}] or [N, {NumFeatures}, L], got {input.Shape}");
        bool is3d = input.Rank == 3;
        return IsTraining ? TrainingForward(input, is3d) : EvalForward(input, is3d);
    }

    private Tensor TrainingForward(Tensor x, bool is3d)
    {
        int n = x.Shape[0] * (is3d ? x.Shape[2] : 1);
        if (n < 2) throw new ArgumentException($"BatchNorm1d needs more than one value per channel in training, got input {x.Shape}", nameof(x));
        var mean = ChannelMean(x, is3d);
        var centered = x - mean;
        var variance = ChannelMean(centered.Square(), is3d);
        var y = centered / (variance + Eps).Sqrt();
        UpdateRunningStats(mean, variance, n);
        return Affine(y, is3d);
    }

    private Tensor EvalForward(Tensor x, bool is3d)
    {
        var mean = PerChannel(_runningMean, is3d);
        var invStd = 1f / (PerChannel(_runningVar, is3d) + Eps).Sqrt();
        return Affine((x - mean) * invStd, is3d);
    }

    private Tensor Affine(Tensor y, bool is3d) =>
        _weight is null ? y : y * PerChannel(_weight, is3d) + PerChannel(_bias!, is3d);

    private static Tensor ChannelMean(Tensor x, bool is3d) =>
        // Every (n, l) slice has the same size, so the mean of means over L then N is the mean over both.
        is3d ? x.Mean(2, keepDim: true).Mean(0, keepDim: true) : x.Mean(0, keepDim: true);

    private Tensor PerChannel(Tensor t, bool is3d) => is3d ? t.Reshape(NumFeatures, 1) : t;

    private void UpdateRunningStats(Tensor batchMean, Tensor batchVar, int n)
    {
        using var noGrad = GradMode.NoGrad();
        var tracked = _numBatchesTracked.AsSpan();
        tracked[0] += 1;
        float m = Momentum ?? 1f / tracked[0];
        float unbias = n / (n - 1f);
        var mean = batchMean.Contiguous().AsSpan();
        var variance = batchVar.Contiguous().AsSpan();
        var rm = _runningMean.AsSpan();
        var rv = _runningVar.AsSpan();
        for (int c = 0; c < rm.Length; c++)
        {
            rm[c] = (1 - m) * rm[c] + m * mean[c];
            rv[c] = (1 - m) * rv[c] + m * variance[c] * unbias;
        }
    }

    /// <summary><c>BatchNorm1d(64)</c>.</summary>
    public override string Describe() => $"BatchNorm1d({NumFeatures.ToString(CultureInfo.InvariantCulture)})";
}
