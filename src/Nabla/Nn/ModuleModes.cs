namespace Nabla.Nn;

/// <summary>
/// The mode switches of <see cref="Module"/>: training or evaluation, frozen or trainable. They are
/// extension methods so each returns the caller's own type and calls chain without casts:
/// <c>var model = new Sequential(…).Eval();</c> is still a <see cref="Sequential"/>.
/// </summary>
public static class ModuleModes
{
    /// <summary>Sets training mode (<paramref name="on"/> true, the default) or evaluation mode on the module and every descendant; returns the module.</summary>
    /// <remarks>Dropout and batch normalization behave differently in each mode, as in PyTorch's <c>module.train(mode)</c>.</remarks>
    public static T Train<T>(this T module, bool on = true) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        module.SetTraining(on);
        return module;
    }

    /// <summary>Sets evaluation mode (same as <c>Train(false)</c>); returns the module.</summary>
    public static T Eval<T>(this T module) where T : Module => module.Train(false);

    /// <summary>
    /// Stops training the module and every descendant, for transfer learning (Keras'
    /// <c>trainable = False</c>, PyTorch's <c>requires_grad_(False)</c> on each parameter): each parameter
    /// gets <c>RequiresGrad = false</c> and its gradient is dropped, so backward computes no gradient for
    /// it (nor for anything only it needs) and optimizers skip it. Batch normalization inside a frozen
    /// module normalizes with its running statistics and leaves them unchanged even in training mode,
    /// as if the frozen base were in evaluation mode: a small new data set would otherwise overwrite the
    /// statistics the base was trained with. Dropout is unaffected. Returns the module.
    /// </summary>
    /// <example><code>
    /// var body = trained[..^1].Freeze();                                      // all layers but the old head
    /// var model = new Sequential(body, new Dense(128, 5, rng));               // a new head, the only part trained
    /// </code></example>
    public static T Freeze<T>(this T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        module.SetFrozen(true);
        return module;
    }

    /// <summary>Undoes <see cref="Freeze{T}(T)"/> on the module and every descendant (fine-tuning); returns the module.</summary>
    public static T Unfreeze<T>(this T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        module.SetFrozen(false);
        return module;
    }
}
