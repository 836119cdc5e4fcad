using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// The fixed sinusoids of "Attention Is All You Need": PE[p, 2i] = sin(p/10000^(2i/E)),
/// PE[p, 2i+1] = cos(p/10000^(2i/E)), computed as the PyTorch tutorial's <c>PositionalEncoding</c>
/// does. Nothing is learned or saved (the table is recomputed from its two sizes).
/// </summary>
public sealed class SinusoidalPositionalEncoding : PositionalEncoding
{
    private readonly Tensor _table;

    /// <summary>Sinusoids for <paramref name="maxLength"/> positions of <paramref name="embedDim"/> values.</summary>
    public SinusoidalPositionalEncoding(int embedDim, int maxLength = 5000) : base(maxLength, embedDim)
    {
        using (TensorScope.Suspend()) _table = Tensor.Owned(new Shape(maxLength, embedDim));
        var t = _table.AsSpan();
        float step = -MathF.Log(10000f) / embedDim;
        for (int i = 0; i < embedDim; i += 2)
        {
            float div = MathF.Exp(i * step);
            for (int p = 0; p < maxLength; p++)
            {
                float angle = p * div;
                t[p * embedDim + i] = MathF.Sin(angle);
                if (i + 1 < embedDim) t[p * embedDim + i + 1] = MathF.Cos(angle);
            }
        }
    }

    /// <inheritdoc/>
    protected override Tensor Table => _table;
}
