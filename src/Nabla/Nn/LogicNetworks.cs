using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Hand-wired networks of threshold units (Dense + <see cref="Step"/>, H(z) = 1 if z &gt; 0) that
/// compute Boolean functions of two 0/1 inputs exactly. AND, OR and AND-NOT are linearly
/// separable, so one unit suffices; XOR is not, so it needs a hidden layer:
/// XOR(a, b) = OR(a, b) ∧ ¬AND(a, b).
/// </summary>
public static class LogicNetworks
{
    /// <summary>a ∧ b: H(a + b − 1.5).</summary>
    public static Sequential And() => Unit(1f, 1f, -1.5f);

    /// <summary>a ∨ b: H(a + b − 0.5).</summary>
    public static Sequential Or() => Unit(1f, 1f, -0.5f);

    /// <summary>a ∧ ¬b: H(a − b − 0.5).</summary>
    public static Sequential AndNot() => Unit(1f, -1f, -0.5f);

    /// <summary>
    /// a ⊕ b with two layers: hidden h₁ = OR = H(a + b − 0.5), h₂ = AND = H(a + b − 1.5); output
    /// H(h₁ − h₂ − 0.5) = h₁ ∧ ¬h₂.
    /// </summary>
    public static Sequential Xor() => new(
        Dense.FromWeights(Tensor.FromArray(new float[,] { { 1f, 1f }, { 1f, 1f } }), Tensor.FromArray([-0.5f, -1.5f], 2)),
        new Step(),
        Dense.FromWeights(Tensor.FromArray(new float[,] { { 1f, -1f } }), Tensor.FromArray([-0.5f], 1)),
        new Step());

    private static Sequential Unit(float wa, float wb, float bias) => new(
        Dense.FromWeights(Tensor.FromArray(new float[,] { { wa, wb } }), Tensor.FromArray([bias], 1)),
        new Step());
}
