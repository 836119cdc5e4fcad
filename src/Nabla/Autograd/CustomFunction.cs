using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// A differentiable operation written in user code, PyTorch's <c>torch.autograd.Function</c>: derive,
/// compute the output in <see cref="Forward"/> and the inputs' gradients in <see cref="Backward"/>, then call
/// <see cref="Apply"/>. For an output y = f(x₁, …, xₙ) and the loss L, <see cref="Backward"/> receives
/// ∂L/∂y and returns ∂L/∂xᵢ = (∂y/∂xᵢ)ᵀ·∂L/∂y for each input (null where an input needs none).
/// </summary>
/// <remarks>
/// Both methods run without recording (as under <see cref="GradMode.NoGrad"/>), so they may use any tensor
/// operation; the engine adds the returned gradients into the inputs' gradient buffers (overwriting or
/// accumulating as the graph requires), so a function used twice or on a shared input is correct.
/// A returned gradient must have its input's shape; a forward that returns one of its inputs is refused
/// (the engine would attach the graph to the caller's tensor). Check a new function with
/// <see cref="GradCheck.Run"/> before training with it.
/// </remarks>
/// <example><code>
/// sealed class Cube : CustomFunction                       // y = x³, ∂L/∂x = 3x²·∂L/∂y
/// {
///     protected override Tensor Forward(FunctionContext context, IReadOnlyList&lt;Tensor&gt; inputs)
///     {
///         context.SaveForBackward(inputs[0]);
///         return inputs[0] * inputs[0] * inputs[0];
///     }
///
///     protected override Tensor?[] Backward(FunctionContext context, Tensor outputGrad)
///     {
///         var x = context.Saved[0];
///         return [outputGrad * x * x * 3f];
///     }
/// }
///
/// var y = new Cube().Apply(x);
/// var check = GradCheck.Run(t => new Cube().Apply(t[0]).Sum(), [x]);   // check.Passed
/// </code></example>
public abstract class CustomFunction
{
    /// <summary>The name reported by <see cref="Tensor.GradFnName"/>: the class name followed by <c>Backward</c>, as in PyTorch.</summary>
    public virtual string Name => GetType().Name + "Backward";

    /// <summary>Computes the output from <paramref name="inputs"/>; saves what <see cref="Backward"/> needs in <paramref name="context"/>.</summary>
    protected abstract Tensor Forward(FunctionContext context, IReadOnlyList<Tensor> inputs);

    /// <summary>
    /// Given ∂L/∂y (<paramref name="outputGrad"/>, the output's shape), returns one gradient per input
    /// (∂L/∂xᵢ with input i's shape, or null when <see cref="FunctionContext.NeedsGrad"/> is false for it or it has none).
    /// </summary>
    protected abstract Tensor?[] Backward(FunctionContext context, Tensor outputGrad);

    /// <summary>
    /// Runs <see cref="Forward"/> on <paramref name="inputs"/> and, when any of them requires grad and
    /// recording is on, records the operation so <c>Backward()</c> reaches <see cref="Backward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">No inputs, or the forward returned one of its inputs.</exception>
    public Tensor Apply(params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException($"{GetType().Name}: a custom function needs at least one input", nameof(inputs));
        foreach (var x in inputs) ArgumentNullException.ThrowIfNull(x, nameof(inputs));
        bool record = GradMode.IsEnabled && Array.Exists(inputs, x => x.RequiresGrad);
        var context = new FunctionContext(inputs);
        Tensor output;
        using (GradMode.NoGrad()) output = Forward(context, inputs);
        ArgumentNullException.ThrowIfNull(output, nameof(Forward));
        if (Array.Exists(inputs, x => ReferenceEquals(x, output)))
            throw new ArgumentException($"{GetType().Name}.Forward returned one of its inputs; return a new tensor (e.g. x.Clone())");
        if (!record) return output;
        var node = new CustomNode(this, context);
        for (int i = 0; i < inputs.Length; i++) node.SetInput(i, inputs[i]);
        return GradMode.Attach(node, output);
    }

    internal Tensor?[] RunBackward(FunctionContext context, Tensor outputGrad)
    {
        using (GradMode.NoGrad()) return Backward(context, outputGrad);
    }
}

/// <summary>What one call of a <see cref="CustomFunction"/> keeps between its forward and backward.</summary>
public sealed class FunctionContext
{
    private readonly Tensor[] _inputs;
    private readonly List<Tensor> _saved = [];

    internal FunctionContext(Tensor[] inputs) => _inputs = inputs;

    /// <summary>The tensors saved by <see cref="SaveForBackward"/>, in order.</summary>
    public IReadOnlyList<Tensor> Saved => _saved;

    /// <summary>Keeps <paramref name="tensors"/> for the backward pass (PyTorch's <c>ctx.save_for_backward</c>).</summary>
    public void SaveForBackward(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        _saved.AddRange(tensors);
    }

    /// <summary>True when input <paramref name="index"/> requires a gradient (PyTorch's <c>ctx.needs_input_grad</c>).</summary>
    public bool NeedsGrad(int index) => _inputs[index].RequiresGrad;

    internal void Clear() => _saved.Clear();
}

/// <summary>The graph node of one <see cref="CustomFunction.Apply"/>; not pooled (a user function is not a hot-loop primitive).</summary>
internal sealed class CustomNode(CustomFunction function, FunctionContext context) : Node
{
    public override string Name => function.Name;

    protected internal override void Backward(Tensor grad)
    {
        var grads = function.RunBackward(context, grad);
        if (grads is null || grads.Length != InputCount)
            throw new InvalidOperationException($"{function.GetType().Name}.Backward returned {grads?.Length ?? 0} gradients for {InputCount} inputs");
        for (int i = 0; i < InputCount; i++)
        {
            if (!Needs(i) || grads[i] is not { } g) continue;
            var input = Input(i);
            if (g.Shape != input.Shape)
                throw new ShapeMismatchException($"{function.GetType().Name}.Backward: the gradient of input {i} has shape {g.Shape}, the input {input.Shape}");
            var buffer = GradFor(i, out bool accumulate);
            var source = g.IsContiguous ? g.AsSpan() : g.Contiguous().AsSpan();
            var target = buffer.AsSpan();
            if (accumulate) Kernels.Primitives.Add(target, source, target);
            else source.CopyTo(target);
        }
    }

    protected override void ClearSaved() => context.Clear();

    private protected override void ReturnToPool() { }
}
