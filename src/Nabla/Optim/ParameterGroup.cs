using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// A set of parameters with its own learning rate η and weight decay λ, like one of
/// <c>torch.optim</c>'s <c>param_groups</c>: transfer learning gives a pre-trained base a smaller
/// rate than a new head, and decay usually spares biases and normalization parameters.
/// A value left null takes the optimizer's default when the group is given to it.
/// </summary>
/// <example><code>
/// var opt = new Adam([
///     new ParameterGroup(backbone.Parameters(), lr: 1e-4f),
///     new ParameterGroup(head.Parameters()),              // the default lr: 1e-3
/// ], lr: 1e-3f);
/// var adamw = new AdamW(ParameterGroup.DecayWeightsOnly(model), lr: 1e-3f, weightDecay: 0.01f);
/// </code></example>
public sealed class ParameterGroup
{
    private readonly Tensor[] _parameters;
    private float? _learningRate, _weightDecay;

    /// <summary>Creates a group.</summary>
    /// <param name="parameters">The group's parameters (each may belong to one group of one optimizer).</param>
    /// <param name="lr">Learning rate η ≥ 0, or null for the optimizer's.</param>
    /// <param name="weightDecay">Weight decay λ ≥ 0, or null for the optimizer's.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is negative or not finite.</exception>
    public ParameterGroup(IEnumerable<Tensor> parameters, double? lr = null, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        if (lr is { } l) _learningRate = Hyperparameters.NonNegative(l, "learning rate");
        if (weightDecay is { } w) _weightDecay = Hyperparameters.NonNegative(w, nameof(weightDecay));
    }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The step size η; schedules change it between steps.</summary>
    /// <exception cref="InvalidOperationException">Read before the group was given to an optimizer without an explicit rate.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double LearningRate
    {
        get => _learningRate ?? throw new InvalidOperationException("the group has no learning rate until it is given to an optimizer");
        set => _learningRate = Hyperparameters.NonNegative(value, "learning rate");
    }

    /// <summary>The weight decay λ; how it enters (added to the gradient, or shrinking p) is the optimizer's chain's.</summary>
    /// <exception cref="InvalidOperationException">Read before the group was given to an optimizer without an explicit value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double WeightDecay
    {
        get => _weightDecay ?? throw new InvalidOperationException("the group has no weight decay until it is given to an optimizer");
        set => _weightDecay = Hyperparameters.NonNegative(value, "weight decay");
    }

    /// <summary>λ as set so far (null: the optimizer's default will be taken).</summary>
    internal float? RequestedWeightDecay => _weightDecay;

    /// <summary>The optimizer the group belongs to, once given to one.</summary>
    internal Optimizer? Owner { get; private set; }

    /// <summary>Takes the optimizer's defaults for unset values; a group belongs to one optimizer.</summary>
    internal void Adopt(Optimizer owner, float lr, float weightDecay)
    {
        if (Owner is not null) throw new ArgumentException("a parameter group belongs to one optimizer; create a new ParameterGroup for another");
        Owner = owner;
        _learningRate ??= lr;
        _weightDecay ??= weightDecay;
    }

    /// <summary>
    /// Two groups for decaying weights only: the model's <see cref="ParameterRole.Weight"/> parameters
    /// (dense, convolutional, recurrent, embedding weights) with the optimizer's weight decay, and every
    /// other parameter (biases, normalization γ and β, …) with λ = 0.
    /// </summary>
    public static ParameterGroup[] DecayWeightsOnly(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var all = model.NamedParameters().ToArray();
        return
        [
            new ParameterGroup(all.Where(p => p.Role == ParameterRole.Weight).Select(p => p.Tensor)),
            new ParameterGroup(all.Where(p => p.Role != ParameterRole.Weight).Select(p => p.Tensor), weightDecay: 0f),
        ];
    }
}
