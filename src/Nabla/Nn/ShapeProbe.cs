using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Finds the output shape of a module by running it on zeros — in evaluation mode, without
/// gradients, inside a scope — so that nothing is recorded, kept, or updated (batch norm's running
/// statistics, dropout's generator). Every module's own mode is restored afterwards.
/// </summary>
internal static class ShapeProbe
{
    /// <summary>The shape <paramref name="module"/> produces for an input of <paramref name="inputShape"/>.</summary>
    public static Shape OutputShape(Module module, Shape inputShape)
    {
        var modes = new List<(Module, bool)>();
        Collect(module, modes);
        module.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = TensorScope.Begin();
            return module.Forward(Tensor.Zeros(inputShape)).Shape;
        }
        finally
        {
            // Pre-order: a parent's Train() resets its children, then their own entries follow.
            foreach (var (m, training) in modes) m.Train(training);
        }
    }

    private static void Collect(Module module, List<(Module, bool)> modes)
    {
        modes.Add((module, module.IsTraining));
        foreach (var (_, child) in module.NamedChildren()) Collect(child, modes);
    }
}
