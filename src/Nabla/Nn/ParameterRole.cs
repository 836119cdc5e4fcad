namespace Nabla.Nn;

/// <summary>
/// What a parameter is for, declared by the module that registers it
/// (<c>RegisterParameter("weight", w, ParameterRole.Weight)</c>). Penalties select by role:
/// L1/L2 regularization and "weights only" weight decay act on <see cref="Weight"/> alone, never on
/// biases or normalization scales and shifts (shrinking BatchNorm's γ towards 0 would switch
/// channels off, not simplify the model).
/// </summary>
public enum ParameterRole
{
    /// <summary>Anything else (e.g. PReLU's slope); never penalized by role-based selection.</summary>
    Other,

    /// <summary>A weight matrix or kernel of a dense, convolutional, recurrent or embedding layer.</summary>
    Weight,

    /// <summary>An additive bias.</summary>
    Bias,

    /// <summary>A normalization layer's scale γ or shift β (BatchNorm, LayerNorm).</summary>
    Norm,
}
