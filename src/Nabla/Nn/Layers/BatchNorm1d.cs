namespace Nabla.Nn;

/// <summary>
/// Batch normalization over <c>[N, C]</c> or <c>[N, C, L]</c>, as PyTorch's <c>nn.BatchNorm1d</c>:
/// y = (x − μ)/√(σ² + ε)·γ + β per channel C, statistics over N (and L). See <see cref="BatchNorm"/>.
/// </summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <summary>Batch norm over <paramref name="numFeatures"/> channels.</summary>
    /// <param name="numFeatures">C, the size of axis 1.</param>
    /// <param name="eps">ε added to the variance for stability.</param>
    /// <param name="momentum">Weight of the new batch in the running statistics; null for a cumulative average.</param>
    /// <param name="affine">Whether to learn γ and β.</param>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true)
        : base(numFeatures, (float)eps, (float?)momentum, affine) { }

    /// <inheritdoc/>
    protected override bool AcceptsRank(int rank) => rank is 2 or 3;

    /// <inheritdoc/>
    protected override string ExpectedShape => $"[N, {NumFeatures}] or [N, {NumFeatures}, L]";
}
