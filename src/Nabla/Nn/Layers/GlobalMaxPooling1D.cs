using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Keras' <c>GlobalMaxPooling1D</c> (channels last): x <c>[N, T, C]</c> → y[n, c] = max of
/// x[n, t, c] over the real (non-padding) positions t.
/// </summary>
/// <remarks>
/// The padding mask comes with the input as for <see cref="GlobalAveragePooling1D"/>; without one
/// every position counts. A row that is all padding gives zeros. The gradient goes to the first
/// maximum of each (n, c).
/// </remarks>
public sealed class GlobalMaxPooling1D : Module
{
    /// <summary>x <c>[N, T, C]</c> → <c>[N, C]</c>, ignoring padding positions when the input carries a mask.</summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.GlobalMaxPool1d(input.Mask);
    }

    /// <summary><c>GlobalMaxPooling1D</c>.</summary>
    public override string Describe() => "GlobalMaxPooling1D";
}
