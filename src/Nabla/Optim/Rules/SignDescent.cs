using System.Runtime.CompilerServices;

namespace Nabla.Optim.Rules;

/// <summary>
/// Sign descent (signSGD; with <see cref="Momentum"/> before it, signum): d ← sign(d), each
/// element +1, −1 or 0 (NaN stays NaN), so every weight moves by exactly η.
/// </summary>
public sealed class SignDescent : UpdateRule
{
    /// <inheritdoc/>
    public override bool LeavesUnlistedRows(float weightDecay) => true;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Apply(ref ParameterStep step)
    {
        var g = step.Direction;
        var d = step.NewDirection();
        for (int i = 0; i < d.Length; i++)
        {
            float x = g[i];
            d[i] = x > 0f ? 1f : x < 0f ? -1f : x;
        }
    }
}
