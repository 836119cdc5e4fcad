using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>Bytes to scaled floats, d[i] = s[i]·scale: how image pixels stored as bytes become model inputs.</summary>
public static class ByteConversion
{
    /// <summary>d[i] = s[i]·scale for every i (one rounding: the byte converts to float exactly).</summary>
    /// <exception cref="ArgumentException">The destination is shorter than the source.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToSingle(ReadOnlySpan<byte> source, float scale, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, source {source.Length}", nameof(destination));
        ref byte s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int n = source.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var sc = Vector512.Create(scale);
            for (; i <= n - 64; i += 64)
            {
                var (lo, hi) = Vector512.Widen(Vector512.LoadUnsafe(ref s, (nuint)i));
                Store512(Vector512.Widen(lo), sc, ref d, i);
                Store512(Vector512.Widen(hi), sc, ref d, i + 32);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var sc = Vector256.Create(scale);
            for (; i <= n - 32; i += 32)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                var (a, b) = Vector256.Widen(lo);
                var (c, e) = Vector256.Widen(hi);
                (Vector256.ConvertToSingle(a) * sc).StoreUnsafe(ref d, (nuint)i);
                (Vector256.ConvertToSingle(b) * sc).StoreUnsafe(ref d, (nuint)i + 8);
                (Vector256.ConvertToSingle(c) * sc).StoreUnsafe(ref d, (nuint)i + 16);
                (Vector256.ConvertToSingle(e) * sc).StoreUnsafe(ref d, (nuint)i + 24);
            }
        }
        for (; i < n; i++) destination[i] = source[i] * scale;
    }

    private static void Store512((Vector512<uint> Lower, Vector512<uint> Upper) words, Vector512<float> scale, ref float d, int i)
    {
        (Vector512.ConvertToSingle(words.Lower) * scale).StoreUnsafe(ref d, (nuint)i);
        (Vector512.ConvertToSingle(words.Upper) * scale).StoreUnsafe(ref d, (nuint)i + 16);
    }
}
