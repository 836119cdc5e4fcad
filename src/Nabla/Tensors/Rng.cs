using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Tensors;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256**, state seeded by SplitMix64). All randomness in
/// Nabla — initialization, shuffling, dropout — goes through an explicit <see cref="Rng"/>, so the
/// same seed gives the same numbers.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>Creates a generator whose whole sequence is determined by <paramref name="seed"/>.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public float Uniform(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>A standard normal sample N(0, 1) by the Box–Muller transform.</summary>
    public float NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return (float)_spareGaussian;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]: log stays finite
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        _spareGaussian = radius * Math.Sin(2 * Math.PI * u2);
        _hasSpare = true;
        return (float)(radius * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>Fills <paramref name="destination"/> with uniform samples in [low, high).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FillUniform(Span<float> destination, float low = 0f, float high = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = Uniform(low, high);
    }

    /// <summary>Fills <paramref name="destination"/> with normal samples N(mean, std²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FillNormal(Span<float> destination, float mean = 0f, float std = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = mean + std * NextGaussian();
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A new generator seeded from this one: an independent stream for a sub-task.</summary>
    public Rng Fork() => new(NextUInt64());
}
