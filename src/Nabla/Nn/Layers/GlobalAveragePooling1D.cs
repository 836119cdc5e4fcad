using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Keras' <c>GlobalAveragePooling1D</c> (channels last) with its masking semantics:
/// x <c>[N, T, C]</c> → y[n, c] = mean of x[n, t, c] over the real (non-padding) positions t.
/// </summary>
/// <remarks>
/// The padding mask comes with the input (<see cref="Tensor.Mask"/>, set by an
/// <see cref="Embedding"/> with a padding index and carried through a <see cref="Sequential"/> by
/// layers that act per position). Without a mask every position counts. A row that is all padding
/// gives zeros (Keras would divide 0 by 0).
/// </remarks>
public sealed class GlobalAveragePooling1D : Module
{
    /// <summary>x <c>[N, T, C]</c> → <c>[N, C]</c>, ignoring padding positions when the input carries a mask.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.GlobalAvgPool1d(input.Mask);
    }

    /// <summary><c>GlobalAveragePooling1D</c>.</summary>
    public override string Describe() => "GlobalAveragePooling1D";
}
