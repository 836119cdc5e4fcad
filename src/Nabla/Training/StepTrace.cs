using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// One training step recorded in full, the walkthrough of the backpropagation lectures for any
/// small network: every layer's forward values, the loss E, every layer's ∂E/∂output (δ = ∂E/∂z
/// for the net inputs z of a dense layer), every parameter's gradient ∂E/∂p, and every
/// parameter's value after the optimizer's step.
/// </summary>
/// <remarks>
/// The numbers come from the autodiff engine itself, not from a second implementation of
/// backpropagation: the layers run one at a time, each on a leaf copy of the previous output, and
/// the backward pass is the engine's vector–Jacobian product taken layer by layer, last layer
/// first, each seeded with the gradient the layer above passed down. That is exactly the chain
/// rule the single <c>loss.Backward()</c> of a training step applies (the same backward rules in
/// the same order), cut at the layer boundaries so that the gradient arriving at each boundary can
/// be read; the parameter gradients are bit-for-bit those of a plain backward pass.
/// </remarks>
/// <example><code>
/// var model = LectureExample.Model();
/// var trace = StepTrace.Record(model, LectureExample.Input(), LectureExample.Target(),
///     new HalfSquaredErrorLoss(), LectureExample.Optimizer(model));
/// Console.WriteLine(trace.Loss);                          // E_total = 0.298371109
/// Console.WriteLine(trace.Layers[3].Output[0, 0]);        // out_o1 = 0.75136507
/// Console.WriteLine(trace.Layers[2].Parameters[0].Updated[0, 0]);   // w5⁺ = 0.35891648
/// </code></example>
public sealed class StepTrace
{
    private StepTrace(Tensor input, Tensor inputGradient, Tensor target, IReadOnlyList<LayerTrace> layers, float loss, float lossAfter)
    {
        Input = input;
        InputGradient = inputGradient;
        Target = target;
        Layers = layers;
        Loss = loss;
        LossAfter = lossAfter;
    }

    /// <summary>The input batch x, <c>[N, …]</c>.</summary>
    public Tensor Input { get; }

    /// <summary>∂E/∂x: how the loss would change with each input value.</summary>
    public Tensor InputGradient { get; }

    /// <summary>The target the loss compared the output with.</summary>
    public Tensor Target { get; }

    /// <summary>The layers in forward order.</summary>
    public IReadOnlyList<LayerTrace> Layers { get; }

    /// <summary>E: the loss before the step.</summary>
    public float Loss { get; }

    /// <summary>The loss of the same input and target after the step, computed without gradients.</summary>
    public float LossAfter { get; }

    /// <summary>Every parameter of every layer, in state-dict order.</summary>
    public IEnumerable<ParameterTrace> Parameters => Layers.SelectMany(l => l.Parameters);

    /// <summary>
    /// Runs one training step of <paramref name="model"/> on <paramref name="input"/> and records
    /// it: forward, E = <paramref name="loss"/>(output, target), backward, then
    /// <paramref name="optimizer"/>'s step, which updates the model's parameters in place as a
    /// training step would. The model runs in its current mode (call <c>Train()</c> first for
    /// dropout and batch-norm training behaviour); its gradients are zeroed first and left holding
    /// this step's.
    /// </summary>
    /// <param name="model">A <see cref="Sequential"/> (each child is a layer of the trace) or any module (one layer).</param>
    /// <param name="input">The input batch <c>[N, …]</c>.</param>
    /// <param name="target">The target, as <paramref name="loss"/> takes it.</param>
    /// <param name="loss">The loss; it must reduce to a scalar.</param>
    /// <param name="optimizer">The optimizer over the model's parameters; a parameter it does not hold is not updated.</param>
    /// <exception cref="ShapeMismatchException">The input does not fit the model, or the loss is not a scalar.</exception>
    public static StepTrace Record(Module model, Tensor input, Tensor target, Loss loss, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        var steps = Steps(model);
        var rates = new Dictionary<Tensor, float>(ReferenceEqualityComparer.Instance);
        foreach (var g in optimizer.ParamGroups)
            foreach (var p in g.Parameters) rates[p] = (float)g.LearningRate;

        // Everything recorded here outlives the caller's scope, if there is one.
        using (TensorScope.Suspend())
        {
            model.ZeroGrad();
            optimizer.ZeroGrad();
            var x = Copy(input);
            var y = Copy(target);
            var leaves = new Tensor[steps.Count + 1];
            var outputs = new Tensor[steps.Count];
            leaves[0] = Copy(input).RequireGrad();
            for (int i = 0; i < steps.Count; i++)
            {
                outputs[i] = steps[i].Forward(leaves[i]);
                leaves[i + 1] = outputs[i].Detach().RequireGrad();
            }
            var e = loss.Forward(leaves[^1], y);
            if (e.Numel != 1)
                throw new ShapeMismatchException($"a step trace needs a scalar loss (reduction Mean or Sum), got shape {e.Shape}");
            float value = e.Item();
            e.Backward();
            // The chain rule, one layer at a time: each layer's vector–Jacobian product is seeded
            // with ∂E/∂(its output), which the layer above has just left in the boundary leaf.
            for (int i = steps.Count - 1; i >= 0; i--)
                if (outputs[i].RequiresGrad && leaves[i + 1].Grad is { } seed) outputs[i].Backward(seed);

            var before = new List<(NamedParameter P, Tensor Value, Tensor Gradient)>[steps.Count];
            for (int i = 0; i < steps.Count; i++)
                before[i] = [.. steps[i].Parameters.Select(p => (p, Copy(p.Tensor), p.Tensor.Grad is { } g ? Copy(g) : Tensor.ZerosLike(p.Tensor)))];
            optimizer.Step();

            var layers = new LayerTrace[steps.Count];
            for (int i = 0; i < steps.Count; i++)
            {
                var parameters = before[i].Select(b => new ParameterTrace(b.P.Name, b.P.Role, b.Value, b.Gradient, Copy(b.P.Tensor),
                    rates.TryGetValue(b.P.Tensor, out float lr) ? lr : 0f)).ToArray();
                layers[i] = new LayerTrace(i, steps[i].Name, steps[i].Module, steps[i].IsAffine, Copy(outputs[i]), GradientOf(leaves[i + 1]), parameters);
            }
            float after;
            using (GradMode.NoGrad()) after = loss.Forward(model.Forward(x), y).Item();
            return new StepTrace(x, GradientOf(leaves[0]), y, layers, value, after);
        }
    }

    private static Tensor GradientOf(Tensor leaf) => leaf.Grad is { } g ? Copy(g) : Tensor.ZerosLike(leaf);

    private static Tensor Copy(Tensor t) => Tensor.FromArray(t.ToArray(), t.Shape.ToArray());

    /// <summary>One layer of the trace: how to run it and which parameters are its own.</summary>
    private sealed record Step(string Name, Module Module, bool IsAffine, Func<Tensor, Tensor> Forward, IReadOnlyList<NamedParameter> Parameters);

    private static List<Step> Steps(Module model)
    {
        var steps = new List<Step>();
        if (model is Sequential s)
            foreach (var (name, child) in s.NamedChildren()) Add(steps, name, child);
        else
            Add(steps, "", model);
        return steps;
    }

    // A dense layer with its own activation is split in two, so its net input z is a layer output too.
    private static void Add(List<Step> steps, string name, Module module)
    {
        string prefix = name.Length == 0 ? "" : name + ".";
        var parameters = module.NamedParameters(prefix).ToList();
        if (module is Dense { Activation: { } activation } dense)
        {
            string own = prefix + "activation.";
            steps.Add(new Step(name, dense, true, x => Affine(dense, x), [.. parameters.Where(p => !p.Name.StartsWith(own, StringComparison.Ordinal))]));
            steps.Add(new Step(prefix + "activation", activation, false, activation.Forward, [.. parameters.Where(p => p.Name.StartsWith(own, StringComparison.Ordinal))]));
            return;
        }
        steps.Add(new Step(name, module, module is Dense, module.Forward, parameters));
    }

    // The affine part of Dense.Forward (the same Linear operation), without the activation.
    private static Tensor Affine(Dense d, Tensor x)
    {
        if (x.Rank < 2 || x.Shape[-1] != d.InFeatures)
            throw new ShapeMismatchException($"{d.Describe()} expects input [N, {d.InFeatures}] or [N, T, {d.InFeatures}], got {x.Shape}");
        return x.Rank == 2
            ? x.Linear(d.Weight, d.Bias)
            : x.Reshape(x.Numel / d.InFeatures, d.InFeatures).Linear(d.Weight, d.Bias).Reshape(x.Shape.With(-1, d.OutFeatures));
    }
}
