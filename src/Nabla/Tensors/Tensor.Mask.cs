namespace Nabla.Tensors;

public sealed partial class Tensor
{
    /// <summary>
    /// The padding mask of a sequence batch <c>[N, T, …]</c>, like Keras' implicit mask: a tensor
    /// <c>[N, T]</c> holding 1 at real positions and 0 at padding, or null. An embedding lookup
    /// with a padding index sets it on its result; <c>GlobalAveragePooling1D</c> and
    /// <c>GlobalMaxPooling1D</c> read it to ignore padding. Operations never copy it to their
    /// results; <c>Sequential</c> hands it from a layer's input to its output only for layers that
    /// act on each position separately (<c>Module.SupportsMasking</c>), and any other layer drops it.
    /// </summary>
    public Tensor? Mask { get; internal set; }
}
