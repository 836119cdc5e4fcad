namespace Nabla.Optim;

/// <summary>Validation of optimizer and schedule hyperparameters; messages name the parameter and its value.</summary>
internal static class Hyperparameters
{
    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0.</summary>
    public static float NonNegative(double value, string name) =>
        (float)value is var v && float.IsFinite(v) && v >= 0f ? v
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0, got {value}");

    /// <summary>Throws unless <paramref name="value"/> is finite and &gt; 0.</summary>
    public static float Positive(double value, string name) =>
        (float)value is var v && float.IsFinite(v) && v > 0f ? v
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number > 0 (as a float), got {value}");

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; 1.</summary>
    public static float UnitInterval(double value, string name) =>
        (float)value is var v && v >= 0f && v < 1f ? v
            : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1), got {value}");

    /// <summary>Throws unless <paramref name="value"/> ≥ 1 (an integer count).</summary>
    public static int AtLeastOne(int value, string name) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 1, got {value}");
}
