namespace Nabla.Training.Callbacks;

/// <summary>The problems <see cref="Diagnostics"/> recognises.</summary>
public enum DiagnosticKind
{
    /// <summary>Early layers get a vanishing share of the last layer's gradient.</summary>
    VanishingGradients,

    /// <summary>Early layers get many times the last layer's gradient.</summary>
    ExplodingGradients,

    /// <summary>Many ReLU units never activate.</summary>
    DeadReLU,

    /// <summary>Many sigmoid or tanh outputs sit at the function's bounds.</summary>
    Saturation,

    /// <summary>Each step changes the weights by a large fraction of their size.</summary>
    LargeUpdates,

    /// <summary>Each step changes the weights by a negligible fraction of their size.</summary>
    SmallUpdates,

    /// <summary>The validation loss keeps rising while the training loss falls.</summary>
    Overfitting,

    /// <summary>An operation produced NaN or infinity.</summary>
    NonFinite,
}

/// <summary>
/// A problem found while training, in plain words with a suggestion, e.g. "dead ReLU: 62 % of
/// units in layer 2 never activate; lower the learning rate or use LeakyReLU".
/// </summary>
/// <param name="Kind">What kind of problem.</param>
/// <param name="Layer">The layer or parameter it concerns (empty for the whole model).</param>
/// <param name="Epoch">The epoch (from 0) in which it was first seen.</param>
/// <param name="Message">The warning text.</param>
public sealed record DiagnosticWarning(DiagnosticKind Kind, string Layer, int Epoch, string Message)
{
    /// <summary>The message.</summary>
    public override string ToString() => Message;
}
