namespace Nabla.Nn;

/// <summary>
/// Activation layers by name, for configuration files and the command line (Keras' string
/// activations): <c>Activation.Create("relu")</c> → <see cref="ReLU"/>.
/// </summary>
public static class Activation
{
    /// <summary>The accepted names (case-insensitive), canonical spelling first where there are aliases.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["relu", "sigmoid", "tanh", "gelu", "elu", "leaky_relu", "prelu", "softmax", "log_softmax", "linear", "identity", "step"];

    /// <summary>
    /// A new activation module: relu, sigmoid, tanh, gelu, elu (α = 1), leaky_relu (α = 0.01),
    /// prelu (one learned slope, 0.25), softmax and log_softmax (last axis), linear / identity, step.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static Module Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "relu" => new ReLU(),
            "sigmoid" => new Sigmoid(),
            "tanh" => new Tanh(),
            "gelu" => new GELU(),
            "elu" => new ELU(),
            "leaky_relu" => new LeakyReLU(),
            "prelu" => new PReLU(),
            "softmax" => new Softmax(),
            "log_softmax" => new LogSoftmax(),
            "linear" or "identity" => new Identity(),
            "step" => new Step(),
            _ => throw new ArgumentException($"unknown activation '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
        };
    }
}
