using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// One mini-batch as a <see cref="DataLoader"/> hands it out: inputs <c>[b, …]</c> and targets
/// <c>[b, …]</c>, tensors of the current <see cref="TensorScope"/>.
/// </summary>
/// <param name="Inputs">The model's input rows.</param>
/// <param name="Targets">The matching targets (class indices <c>[b]</c>, one-hot or values <c>[b, k]</c>).</param>
public readonly record struct Batch(Tensor Inputs, Tensor Targets);
