using System.Globalization;

namespace Nabla.Tensors;

/// <summary>
/// Indices (class targets, token ids, rows to select) travel in float tensors, and a float holds every
/// whole number exactly only up to 2²⁴ = 16,777,216: above that, 16,777,217 reads as 16,777,216. So no
/// axis that float indices address may be longer than 2²⁴ + 1 entries — then every valid index is exact
/// and any other value fails the range check instead of silently selecting a neighbour.
/// </summary>
public static class FloatIndex
{
    /// <summary>The largest index a float holds exactly together with every smaller one: 2²⁴.</summary>
    public const int MaxExact = 1 << 24;

    /// <summary>Refuses an axis of <paramref name="count"/> entries addressed by float indices when it is longer than 2²⁴ + 1.</summary>
    /// <exception cref="ShapeMismatchException">The axis is too long; names <paramref name="what"/> and the count.</exception>
    public static void CheckCount(long count, string what)
    {
        if (count > MaxExact + 1L)
            throw new ShapeMismatchException(string.Create(CultureInfo.InvariantCulture,
                $"{what}: {count:N0} entries cannot be addressed by float indices, which are exact only up to 2^24 = {MaxExact:N0}"));
    }
}
