using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Adds a vector per position to a batch of embeddings [B, L, E]: position p (counted from
/// <c>startPosition</c>, so a decoder fed one token at a time keeps its place) gets row p of a table
/// of <see cref="MaxLength"/> rows. Attention alone ignores order; this is what tells positions apart.
/// </summary>
public abstract class PositionalEncoding : Module
{
    /// <summary>Sets the table size and embedding size.</summary>
    protected PositionalEncoding(int maxLength, int embedDim)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embedDim, 1);
        MaxLength = maxLength;
        EmbedDim = embedDim;
    }

    /// <summary>Positions the table holds; longer sequences are refused.</summary>
    public int MaxLength { get; }

    /// <summary>E.</summary>
    public int EmbedDim { get; }

    /// <summary>The table [MaxLength, E].</summary>
    protected abstract Tensor Table { get; }

    /// <summary>x + table[0 … L − 1].</summary>
    public override Tensor Forward(Tensor input) => Forward(input, 0);

    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    /// <summary>x[b, i] + table[startPosition + i] for x [B, L, E].</summary>
    /// <exception cref="ShapeMismatchException">x is not [B, L, E], or the positions run past the table; names both.</exception>
    public Tensor Forward(Tensor input, int startPosition)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(startPosition);
        if (input.Rank != 3 || input.Shape[2] != EmbedDim)
            throw new ShapeMismatchException($"{Describe()}: input must be [B, L, {EmbedDim}], got {input.Shape}");
        int length = input.Shape[1];
        if (startPosition + length > MaxLength)
            throw new ShapeMismatchException(
                $"{Describe()}: positions {startPosition}..{startPosition + length - 1} of input {input.Shape} exceed its table of {MaxLength} positions (maxLength)");
        return input + Table.Narrow(0, startPosition, length);
    }

    /// <summary><c>SinusoidalPositionalEncoding(E=128, maxLength=512)</c>.</summary>
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{GetType().Name}(E={EmbedDim}, maxLength={MaxLength})");
}
