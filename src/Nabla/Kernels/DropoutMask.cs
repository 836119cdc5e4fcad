using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// A dropout mask computed from a counter instead of stored: element i of stream s is kept when
/// hash(s, i) ≥ p·2²⁴. Forward and backward regenerate the same mask from the seed, so fused ops
/// need not keep a mask tensor, and the result does not depend on which thread handles which piece.
/// </summary>
/// <remarks>
/// The stream key comes from SplitMix64 of (seed, stream); elements are hashed with two rounds of
/// the "lowbias32" integer mixer (C. Wellons), good enough that keep decisions of neighbours are
/// independent for dropout's purposes.
/// </remarks>
internal static class DropoutMask
{
    /// <summary>The two 32-bit keys of stream <paramref name="stream"/> under <paramref name="seed"/>.</summary>
    public static (uint A, uint B) StreamKey(ulong seed, long stream)
    {
        ulong z = seed + (ulong)(stream + 1) * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return ((uint)z, (uint)(z >> 32));
    }

    /// <summary>
    /// d[j] = x[j]·scale where element <paramref name="start"/> + j of the stream is kept, else 0.
    /// <paramref name="x"/> and <paramref name="d"/> may be the same span.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply((uint A, uint B) key, int start, float p, float scale, ReadOnlySpan<float> x, Span<float> d)
    {
        Guard.SameLength(x, d, nameof(x), nameof(d));
        // Kept when the top 24 bits, as an integer, reach the threshold.
        int threshold = (int)MathF.Min(p * (1 << 24), 1 << 24);
        int n = x.Length, j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var lanes = Vector256.Create(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u);
            var ka = Vector256.Create(key.A);
            var kb = Vector256.Create(key.B);
            var t = Vector256.Create(threshold);
            var s = Vector256.Create(scale);
            for (; j <= n - 8; j += 8)
            {
                var h = Mix(Mix((Vector256.Create((uint)(start + j)) + lanes) ^ ka) + kb);
                var keep = Vector256.GreaterThanOrEqual(Vector256.ShiftRightLogical(h, 8).AsInt32(), t).AsSingle();
                var v = Vector256.LoadUnsafe(ref Unsafe.AsRef(in x[j])) * s;
                (v & keep).StoreUnsafe(ref d[j]);
            }
        }
        for (; j < n; j++)
        {
            uint h = Mix(Mix((uint)(start + j) ^ key.A) + key.B);
            d[j] = (int)(h >> 8) >= threshold ? x[j] * scale : 0f;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= 0x7feb352dU;
        x ^= x >> 15;
        x *= 0x846ca68bU;
        x ^= x >> 16;
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Mix(Vector256<uint> x)
    {
        x ^= Vector256.ShiftRightLogical(x, 16);
        x *= Vector256.Create(0x7feb352dU);
        x ^= Vector256.ShiftRightLogical(x, 15);
        x *= Vector256.Create(0x846ca68bU);
        x ^= Vector256.ShiftRightLogical(x, 16);
        return x;
    }
}
