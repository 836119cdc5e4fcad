using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// The parameters of one direction of one recurrent layer, as PyTorch names them:
/// <c>weight_ih_l{k}</c> <c>[G·H, in]</c>, <c>weight_hh_l{k}</c> <c>[G·H, H]</c>, and the optional
/// <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> <c>[G·H]</c>, where G is the number of gate blocks
/// (<see cref="RecurrentModes.GateCount"/>) stacked in PyTorch's order.
/// </summary>
/// <param name="WeightIh">Input-to-hidden weights W_ih.</param>
/// <param name="WeightHh">Hidden-to-hidden weights W_hh.</param>
/// <param name="BiasIh">Input-side bias b_ih, or null.</param>
/// <param name="BiasHh">Hidden-side bias b_hh, or null.</param>
public readonly record struct RecurrentWeights(Tensor WeightIh, Tensor WeightHh, Tensor? BiasIh, Tensor? BiasHh);

/// <summary>What one recurrent layer produced (views of one buffer, each differentiable).</summary>
/// <param name="Output">The top of every timestep, <c>[N, T, D·H]</c> (D = 2 when bidirectional: forward then reverse halves); zero past each row's length.</param>
/// <param name="HiddenState">h_n, the hidden state after each row's last step, <c>[D, N, H]</c> (the reverse direction's is at t = 0).</param>
/// <param name="CellState">c_n for an LSTM, <c>[D, N, H]</c>; null otherwise.</param>
public readonly record struct RecurrentLayerOutput(Tensor Output, Tensor HiddenState, Tensor? CellState);
