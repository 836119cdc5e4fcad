using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The filter transforms of <see cref="Winograd5Conv"/> (F(2×2, 5×5)), each run once per call: U = G·g·Gᵀ for the
/// forward and input gradient, and the weight gradient's ∂L/∂g = Gᵀ·(∂L/∂U)·G (<see cref="Winograd5WeightGradient"/>).
/// In double, four channel pairs per AVX vector in the scalar loop's order of operations, so the same bits either way.
/// </summary>
internal static class Winograd5Filters
{
    // G [6, 5], row by row.
    private static readonly double[] G =
    [
        1 / 4.0, 0, 0, 0, 0,
        -1 / 6.0, -1 / 6.0, -1 / 6.0, -1 / 6.0, -1 / 6.0,
        -1 / 6.0, 1 / 6.0, -1 / 6.0, 1 / 6.0, -1 / 6.0,
        1 / 24.0, 1 / 12.0, 1 / 6.0, 1 / 3.0, 2 / 3.0,
        1 / 24.0, -1 / 12.0, 1 / 6.0, -1 / 3.0, 2 / 3.0,
        0, 0, 0, 0, 1,
    ];

    // U[ξ, o', c'] = (G·g·Gᵀ)[ξ] with g = w[o', c'] (forward) or g[i, j] = w[c', o', 4 − i, 4 − j] (input gradient, where o'
    // runs over the forward's input channels and c' over its output channels). In double, once per call; with AVX four
    // channel pairs at a time, one per lane, in the scalar loop's order of operations (so the same bits).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Transform(ReadOnlySpan<float> w, int outC, int inC, bool flip, Span<float> u)
    {
        int rows = flip ? inC : outC, cols = flip ? outC : inC, plane = rows * cols;
        // Tap k of pair (o, c) is at first + k·step; the next c is `next` floats on.
        int step = flip ? -1 : 1, next = flip ? inC * 25 : 25;
        Span<double> gg = stackalloc double[25];
        Span<double> t = stackalloc double[30];
        Span<Vector256<double>> gv = stackalloc Vector256<double>[25];
        Span<Vector256<double>> tv = stackalloc Vector256<double>[30];
        ref float w0 = ref MemoryMarshal.GetReference(w);
        ref float u0 = ref MemoryMarshal.GetReference(u);
        for (int o = 0; o < rows; o++)
        {
            int c = 0;
            if (Avx.IsSupported)
                for (; c + 4 <= cols; c += 4)
                {
                    int first = flip ? (c * inC + o) * 25 + 24 : (o * inC + c) * 25;
                    for (int k = 0; k < 25; k++)
                    {
                        ref float tap = ref Unsafe.Add(ref w0, first + k * step);
                        gv[k] = Vector256.Create(tap, Unsafe.Add(ref tap, next), Unsafe.Add(ref tap, 2 * next), Unsafe.Add(ref tap, 3 * next));
                    }
                    for (int a = 0; a < 6; a++)
                        for (int l = 0; l < 5; l++)
                        {
                            var s = Vector256<double>.Zero;
                            for (int k = 0; k < 5; k++) s += Vector256.Create(G[a * 5 + k]) * gv[k * 5 + l];
                            tv[a * 5 + l] = s;
                        }
                    int at = o * cols + c;
                    for (int a = 0; a < 6; a++)
                        for (int b = 0; b < 6; b++)
                        {
                            var s = Vector256<double>.Zero;
                            for (int l = 0; l < 5; l++) s += tv[a * 5 + l] * Vector256.Create(G[b * 5 + l]);
                            Avx.ConvertToVector128Single(s).StoreUnsafe(ref u0, (nuint)((a * 6 + b) * plane + at));
                        }
                }
            for (; c < cols; c++)
            {
                int first = flip ? (c * inC + o) * 25 + 24 : (o * inC + c) * 25;
                for (int k = 0; k < 25; k++) gg[k] = w[first + k * step];
                // t = G·g [6, 5].
                for (int a = 0; a < 6; a++)
                    for (int l = 0; l < 5; l++)
                    {
                        double s = 0;
                        for (int k = 0; k < 5; k++) s += G[a * 5 + k] * gg[k * 5 + l];
                        t[a * 5 + l] = s;
                    }
                // U = t·Gᵀ [6, 6].
                int at = o * cols + c;
                for (int a = 0; a < 6; a++)
                    for (int b = 0; b < 6; b++)
                    {
                        double s = 0;
                        for (int l = 0; l < 5; l++) s += t[a * 5 + l] * G[b * 5 + l];
                        u[(a * 6 + b) * plane + at] = (float)s;
                    }
            }
        }
    }

    // dw[o, c] (+)= Gᵀ·dU·G for every channel pair (at = o·C + c; dU[ξ, at] at ξ·size + at), in double; with AVX four pairs
    // at a time, one per lane, in the scalar loop's order of operations (so the same bits).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Inverse(ReadOnlySpan<float> du, int size, Span<float> dw, bool accumulate)
    {
        ReadOnlySpan<double> gm = G;
        Span<double> t = stackalloc double[30];
        Span<Vector256<double>> tv = stackalloc Vector256<double>[30];
        Span<float> lanes = stackalloc float[4];
        ref float d0 = ref MemoryMarshal.GetReference(du);
        int at = 0;
        if (Avx.IsSupported)
            for (; at + 4 <= size; at += 4)
            {
                // t = Gᵀ·dU [5, 6].
                for (int k = 0; k < 5; k++)
                    for (int b = 0; b < 6; b++)
                    {
                        var s = Vector256<double>.Zero;
                        for (int a = 0; a < 6; a++)
                            s += Vector256.Create(gm[a * 5 + k]) * Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref d0, (nuint)((a * 6 + b) * size + at)));
                        tv[k * 6 + b] = s;
                    }
                // t·G [5, 5].
                var g = dw.Slice(at * 25, 100);
                for (int k = 0; k < 5; k++)
                    for (int l = 0; l < 5; l++)
                    {
                        var s = Vector256<double>.Zero;
                        for (int b = 0; b < 6; b++) s += tv[k * 6 + b] * Vector256.Create(gm[b * 5 + l]);
                        Avx.ConvertToVector128Single(s).CopyTo(lanes);
                        for (int i = 0; i < 4; i++)
                        {
                            if (accumulate) g[i * 25 + k * 5 + l] += lanes[i];
                            else g[i * 25 + k * 5 + l] = lanes[i];
                        }
                    }
            }
        for (; at < size; at++)
        {
            // t = Gᵀ·dU [5, 6].
            for (int k = 0; k < 5; k++)
                for (int b = 0; b < 6; b++)
                {
                    double s = 0;
                    for (int a = 0; a < 6; a++) s += gm[a * 5 + k] * du[(a * 6 + b) * size + at];
                    t[k * 6 + b] = s;
                }
            // t·G [5, 5].
            var g = dw.Slice(at * 25, 25);
            for (int k = 0; k < 5; k++)
                for (int l = 0; l < 5; l++)
                {
                    double s = 0;
                    for (int b = 0; b < 6; b++) s += t[k * 6 + b] * gm[b * 5 + l];
                    if (accumulate) g[k * 5 + l] += (float)s;
                    else g[k * 5 + l] = (float)s;
                }
        }
    }
}
