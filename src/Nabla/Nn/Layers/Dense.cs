using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Fully connected layer y = act(x·Wᵀ + b), as PyTorch's <c>nn.Linear</c> (weight <c>[out, in]</c>,
/// state-dict names <c>weight</c> and <c>bias</c>) and Keras' <c>Dense</c> (optional activation,
/// input size inferred at build time). Works on <c>[N, in]</c> and <c>[N, T, in]</c>.
/// </summary>
/// <remarks>
/// Default initialization is PyTorch's: weight ~ kaiming_uniform(a = √5) = U(−1/√in, 1/√in) and
/// bias ~ U(−1/√in, 1/√in). A lazy layer (<c>new Dense(256)</c>) has no parameters until
/// <see cref="Build"/> (or <see cref="Sequential.Build"/>) runs; its <see cref="Forward"/> throws until then.
/// </remarks>
/// <example><code>
/// var eager = new Dense(784, 256, rng);                     // PyTorch style
/// var model = new Sequential(new Dense(256, "relu"), new Dense(10)).Build(new Shape(1, 784), rng); // Keras style
/// </code></example>
public class Dense : Module, ILazyModule
{
    /// <summary>Acts on each position separately, so a padding mask passes through (see <see cref="Module.SupportsMasking"/>).</summary>
    public override bool SupportsMasking => true;

    private readonly bool _useBias;
    private readonly IInitializer? _weightInit;
    private readonly IInitializer? _biasInit;
    private Tensor? _weight;
    private Tensor? _bias;
    private readonly OneRowInference _oneRow = new();

    /// <summary>Creates the layer with its parameters now.</summary>
    /// <param name="inFeatures">Size of the last input axis.</param>
    /// <param name="outFeatures">Number of output units.</param>
    /// <param name="rng">Seeded source for the initial weights.</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    /// <param name="weightInit">Weight initializer; null for PyTorch's U(−1/√in, 1/√in).</param>
    /// <param name="biasInit">Bias initializer; null for PyTorch's U(−1/√in, 1/√in).</param>
    /// <param name="activation">Optional activation name applied to the output (see <see cref="Nn.Activation.Create"/>).</param>
    public Dense(int inFeatures, int outFeatures, Rng rng, bool bias = true,
        IInitializer? weightInit = null, IInitializer? biasInit = null, string? activation = null)
        : this(outFeatures, activation is null ? null : Nn.Activation.Create(activation), bias, weightInit, biasInit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentNullException.ThrowIfNull(rng);
        CreateParameters(inFeatures, rng);
    }

    /// <summary>Creates a lazy layer whose input size is taken from the first <see cref="Build"/>.</summary>
    /// <param name="units">Number of output units.</param>
    /// <param name="activation">Optional activation name ("relu", "sigmoid", …; see <see cref="Nn.Activation.Create"/>).</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    /// <param name="weightInit">Weight initializer; null for PyTorch's U(−1/√in, 1/√in).</param>
    /// <param name="biasInit">Bias initializer; null for PyTorch's U(−1/√in, 1/√in).</param>
    public Dense(int units, string? activation = null, bool bias = true, IInitializer? weightInit = null, IInitializer? biasInit = null)
        : this(units, activation is null ? null : Nn.Activation.Create(activation), bias, weightInit, biasInit)
    {
    }

    /// <summary>Creates a lazy layer followed by the given activation module (registered as child <c>activation</c>).</summary>
    /// <param name="units">Number of output units.</param>
    /// <param name="activation">Module applied to the output, or null for none.</param>
    /// <param name="bias">Whether to learn the additive bias b.</param>
    /// <param name="weightInit">Weight initializer; null for PyTorch's U(−1/√in, 1/√in).</param>
    /// <param name="biasInit">Bias initializer; null for PyTorch's U(−1/√in, 1/√in).</param>
    public Dense(int units, Module? activation, bool bias = true, IInitializer? weightInit = null, IInitializer? biasInit = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        OutFeatures = units;
        _useBias = bias;
        _weightInit = weightInit;
        _biasInit = biasInit;
        if (activation is not null) Activation = RegisterModule("activation", activation);
    }

    /// <summary>
    /// A layer with the given weight <c>[out, in]</c> and optional bias <c>[out]</c>, copied into
    /// new parameters (for hand-set networks and tests).
    /// </summary>
    /// <exception cref="ShapeMismatchException">The weight is not 2-D or the bias length differs from out.</exception>
    public static Dense FromWeights(Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ShapeMismatchException($"Dense weight must be [out, in], got {weight.Shape}");
        if (bias is not null && bias.Shape != new Shape(weight.Shape[0]))
            throw new ShapeMismatchException($"Dense bias must be [{weight.Shape[0]}] for weight {weight.Shape}, got {bias.Shape}");
        var layer = new Dense(weight.Shape[0], (Module?)null, bias is not null);
        layer.CreateParameters(weight.Shape[1], rng: null);
        weight.CopyTo(layer._weight!.AsSpan());
        if (bias is not null) bias.CopyTo(layer._bias!.AsSpan());
        return layer;
    }

    /// <summary>Size of the input's last axis; 0 until the layer is built.</summary>
    public int InFeatures { get; private set; }

    /// <summary>Number of output units.</summary>
    public int OutFeatures { get; }

    /// <summary>The activation applied after the affine map, or null.</summary>
    public Module? Activation { get; }

    /// <inheritdoc/>
    public bool IsBuilt => _weight is not null;

    /// <summary>True while one-row inference holds a transposed copy of the current weights (for tests).</summary>
    internal bool HoldsTransposedCopy => _weight is not null && _oneRow.HoldsCopy(_weight);

    /// <summary>The weight W, shape <c>[out, in]</c>.</summary>
    /// <exception cref="InvalidOperationException">The lazy layer has not been built.</exception>
    public Tensor Weight => _weight ?? throw NotBuilt();

    /// <summary>The bias b, shape <c>[out]</c>, or null when the layer has none.</summary>
    /// <exception cref="InvalidOperationException">The lazy layer has not been built.</exception>
    public Tensor? Bias => IsBuilt ? _bias : throw NotBuilt();

    /// <inheritdoc/>
    public void Build(Shape inputShape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inputShape.Rank < 1) throw new ShapeMismatchException($"{Describe()} needs inputs [N, in] or [N, T, in], got {inputShape}");
        int features = inputShape[-1];
        if (IsBuilt)
        {
            if (features != InFeatures)
                throw new ShapeMismatchException($"{Describe()} was built for {InFeatures} input features, got input shape {inputShape}");
            return;
        }
        CreateParameters(features, rng);
    }

    /// <summary>y = act(x·Wᵀ + b) over the last axis of <paramref name="input"/>.</summary>
    /// <exception cref="InvalidOperationException">The lazy layer has not been built.</exception>
    /// <exception cref="ShapeMismatchException">The last axis is not <see cref="InFeatures"/>.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var w = _weight ?? throw NotBuilt();
        if (input.Rank < 2 || input.Shape[-1] != InFeatures)
            throw new ShapeMismatchException($"{Describe()} expects input [N, {InFeatures}] or [N, T, {InFeatures}], got {input.Shape}");
        // One sample, no gradients: the zero-skipping product once the weights have stayed unchanged.
        // Otherwise one fused op (bias written into the GEMM's output, β = 1) on rows; [N, T, in] is folded into rows.
        var y = _oneRow.TryForward(input, w, _bias, GradMode.Records(input, w) || (_bias is not null && GradMode.Records(_bias)))
            ?? (input.Rank == 2
                ? input.Linear(w, _bias)
                : input.Reshape(input.Numel / InFeatures, InFeatures).Linear(w, _bias).Reshape(input.Shape.With(-1, OutFeatures)));
        return Activation is null ? y : Activation.Forward(y);
    }

    /// <summary><c>Dense(784 → 256)</c>, with the activation if any; <c>Dense(? → 256)</c> before a lazy build.</summary>
    public override string Describe()
    {
        string input = IsBuilt ? InFeatures.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
        string act = Activation is null ? "" : ", " + Activation.Describe();
        return $"{GetType().Name}({input} → {OutFeatures}{act})";
    }

    private void CreateParameters(int inFeatures, Rng? rng)
    {
        InFeatures = inFeatures;
        // Parameters outlive every training step, so they must not come from the caller's scope.
        using (TensorScope.Suspend())
        {
            var w = Tensor.Owned(new Shape(OutFeatures, inFeatures));
            var b = _useBias ? Tensor.Owned(new Shape(OutFeatures)) : null;
            if (rng is not null)
            {
                float bound = 1f / MathF.Sqrt(inFeatures);
                if (_weightInit is null) rng.FillUniform(w.AsSpan(), -bound, bound);
                else _weightInit.Initialize(w, rng);
                if (b is not null)
                {
                    if (_biasInit is null) rng.FillUniform(b.AsSpan(), -bound, bound);
                    else _biasInit.Initialize(b, rng);
                }
            }
            _weight = RegisterParameter("weight", w, ParameterRole.Weight);
            if (b is not null) _bias = RegisterParameter("bias", b, ParameterRole.Bias);
        }
    }

    private InvalidOperationException NotBuilt() => new(
        $"{Describe()} is lazy and has not been built yet: call Build(inputShape, rng) on it or on its Sequential before Forward or before giving its parameters to an optimizer");
}
