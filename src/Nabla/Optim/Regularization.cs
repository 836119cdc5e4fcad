using System.Runtime.CompilerServices;
using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Differentiable penalty terms to add to a loss, usually over the weights alone:
/// <c>loss + Regularization.L2(model.Parameters(ParameterRole.Weight), 1e-4f)</c> (biases and
/// BatchNorm's γ, β are not penalized; see <see cref="ParameterRole"/>). For decoupled weight
/// decay use <see cref="AdamW"/>; the other optimizers' <c>weightDecay</c> adds wd·w to the
/// gradient, which equals the gradient of L2 with λ = wd/2.
/// </summary>
public static class Regularization
{
    /// <summary>L1 penalty λ·Σ|w| over the given parameters (subgradient λ·sign(w), 0 at w = 0).</summary>
    public static Tensor L1(IEnumerable<Tensor> parameters, double lambda) => Penalty(parameters, (float)lambda, static p => p.Abs().Sum());

    /// <summary>L2 penalty λ·Σw² over the given parameters, without a ½ (as PyTorch users write <c>λ·w.pow(2).sum()</c>), so its gradient is 2λ·w.</summary>
    public static Tensor L2(IEnumerable<Tensor> parameters, double lambda) => Penalty(parameters, (float)lambda, static p => p.Square().Sum());

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Tensor Penalty(IEnumerable<Tensor> parameters, float lambda, Func<Tensor, Tensor> term)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Hyperparameters.NonNegative(lambda, nameof(lambda));
        Tensor? total = null;
        foreach (var p in parameters)
        {
            var t = term(p);
            total = total is null ? t : total + t;
        }
        return total is null ? Tensor.Scalar(0f) : total * lambda;
    }
}
