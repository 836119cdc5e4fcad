using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// A mask for attention, with its meaning stated (PyTorch tells the two apart by dtype; Nabla's
/// tensors are all float32): <see cref="Boolean"/> hides the positions where the tensor is
/// non-zero, like a <c>bool</c> mask's <c>True</c>; <see cref="Additive"/> adds the values to the
/// attention scores, so −∞ hides and other values bias. Masks carry no gradient.
/// </summary>
/// <example><code>
/// var padding = AttentionMask.Boolean(tokens.Eq(padId));                 // [B, L_k], 1 = padding
/// var causal  = AttentionMask.Additive(AttentionMask.SquareSubsequent(8)); // same as isCausal: true
/// </code></example>
public readonly struct AttentionMask
{
    private AttentionMask(Tensor values, bool isBoolean)
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values;
        IsBoolean = isBoolean;
    }

    /// <summary>The mask's values.</summary>
    public Tensor Values { get; }

    /// <summary>True when non-zero values hide positions; false when the values are added to the scores.</summary>
    public bool IsBoolean { get; }

    /// <summary>A mask that hides the positions where <paramref name="values"/> is non-zero.</summary>
    public static AttentionMask Boolean(Tensor values) => new(values, true);

    /// <summary>A mask whose values are added to the attention scores (−∞ hides a position).</summary>
    public static AttentionMask Additive(Tensor values) => new(values, false);

    /// <summary>
    /// PyTorch's <c>Transformer.generate_square_subsequent_mask(size)</c>: a [size, size] additive
    /// mask with −∞ above the diagonal (query i may not see key j &gt; i) and 0 elsewhere.
    /// </summary>
    public static Tensor SquareSubsequent(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var mask = Tensor.Zeros(size, size);
        var m = mask.AsSpan();
        for (int i = 0; i < size; i++)
            for (int j = i + 1; j < size; j++) m[i * size + j] = float.NegativeInfinity;
        return mask;
    }
}
