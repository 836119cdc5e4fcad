using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The tile transforms of <see cref="WinogradF4Conv"/> (F(4×4, 3×3), interpolation points 0, ±1, ±2, ∞) for 8
/// tiles at a time: the input transform V = Bᵀ·d·B of 6×6 input tiles and the output transform Y = Aᵀ·M·A to 4×4
/// output tiles. Tap (i, j) of tile p lives at <c>(6i + j)·stride + p</c> in the source; transform point ξ = 6a + b
/// at <c>ξ·stride + p</c> in V and M; output (a, b) at <c>(4a + b)·stride + p</c>.
/// </summary>
/// <remarks>
/// Bᵀ = [[4,0,−5,0,1,0],[0,−4,−4,1,1,0],[0,4,−4,−1,1,0],[0,−2,−1,2,1,0],[0,2,−1,−2,1,0],[0,4,0,−5,0,1]],
/// Aᵀ = [[1,1,1,1,1,0],[0,1,−1,2,−2,0],[0,1,1,4,4,0],[0,1,−1,8,−8,1]]. Each 8-tile vector runs the same operations
/// in the same order as any other, so a tile's bits do not depend on which vector computed it (the last vector of a
/// row of tiles overlaps the one before).
/// </remarks>
internal static class WinogradF4Tiles
{
    /// <summary>Bᵀ·x for one column (or row) of six taps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void B(Vector256<float> x0, Vector256<float> x1, Vector256<float> x2, Vector256<float> x3, Vector256<float> x4,
        Vector256<float> x5, out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3,
        out Vector256<float> r4, out Vector256<float> r5)
    {
        var four = Vector256.Create(4f);
        var five = Vector256.Create(5f);
        var a = x4 - four * x2;
        var b = x3 - four * x1;
        var c = x4 - x2;
        var e = (x3 - x1) * Vector256.Create(2f);
        r0 = four * x0 - five * x2 + x4;
        r1 = a + b;
        r2 = a - b;
        r3 = c + e;
        r4 = c - e;
        r5 = four * x1 - five * x3 + x5;
    }

    /// <summary>Aᵀ·m for one column (or row) of six transform points.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void A(Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3, Vector256<float> m4,
        Vector256<float> m5, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3)
    {
        var s = m1 + m2;
        var d = m1 - m2;
        var s2 = m3 + m4;
        var d2 = m3 - m4;
        o0 = m0 + s + s2;
        o1 = d + Vector256.Create(2f) * d2;
        o2 = s + Vector256.Create(4f) * s2;
        o3 = d + Vector256.Create(8f) * d2 + m5;
    }

    /// <summary>
    /// V for the 8 tiles at <paramref name="sp"/> of <paramref name="src"/> (36 tap planes of <paramref name="ss"/>
    /// floats) into <paramref name="v"/> at <paramref name="vp"/> (36 planes of <paramref name="vs"/> floats);
    /// <paramref name="t"/> is 36 vectors of scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Input8(ref float src, int ss, int sp, ref float v, int vs, int vp, ref float t)
    {
        // Bᵀ down each column j of the tile: t[a, j] = Σ_i Bᵀ[a, i]·d[i, j].
        for (int j = 0; j < 6; j++)
        {
            B(Load(ref src, j, ss, sp), Load(ref src, 6 + j, ss, sp), Load(ref src, 12 + j, ss, sp),
                Load(ref src, 18 + j, ss, sp), Load(ref src, 24 + j, ss, sp), Load(ref src, 30 + j, ss, sp),
                out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
            r0.StoreUnsafe(ref t, (nuint)(8 * j)); r1.StoreUnsafe(ref t, (nuint)(8 * (6 + j)));
            r2.StoreUnsafe(ref t, (nuint)(8 * (12 + j))); r3.StoreUnsafe(ref t, (nuint)(8 * (18 + j)));
            r4.StoreUnsafe(ref t, (nuint)(8 * (24 + j))); r5.StoreUnsafe(ref t, (nuint)(8 * (30 + j)));
        }
        // Bᵀ along each row a: V[a, b] = Σ_j Bᵀ[b, j]·t[a, j].
        for (int a = 0; a < 6; a++)
        {
            B(Load(ref t, 6 * a, 8, 0), Load(ref t, 6 * a + 1, 8, 0), Load(ref t, 6 * a + 2, 8, 0),
                Load(ref t, 6 * a + 3, 8, 0), Load(ref t, 6 * a + 4, 8, 0), Load(ref t, 6 * a + 5, 8, 0),
                out var r0, out var r1, out var r2, out var r3, out var r4, out var r5);
            r0.StoreUnsafe(ref v, (nuint)(6 * a * vs + vp)); r1.StoreUnsafe(ref v, (nuint)((6 * a + 1) * vs + vp));
            r2.StoreUnsafe(ref v, (nuint)((6 * a + 2) * vs + vp)); r3.StoreUnsafe(ref v, (nuint)((6 * a + 3) * vs + vp));
            r4.StoreUnsafe(ref v, (nuint)((6 * a + 4) * vs + vp)); r5.StoreUnsafe(ref v, (nuint)((6 * a + 5) * vs + vp));
        }
    }

    /// <summary>
    /// Y for the 8 tiles at <paramref name="mp"/> of <paramref name="m"/> (36 planes of <paramref name="ms"/> floats)
    /// into <paramref name="y"/> at <paramref name="yp"/> (16 planes of <paramref name="ys"/> floats);
    /// <paramref name="t"/> is 24 vectors of scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Output8(ref float m, int ms, int mp, ref float y, int ys, int yp, ref float t)
    {
        // Aᵀ down each column j: t[a, j] = Σ_i Aᵀ[a, i]·M[i, j].
        for (int j = 0; j < 6; j++)
        {
            A(Load(ref m, j, ms, mp), Load(ref m, 6 + j, ms, mp), Load(ref m, 12 + j, ms, mp),
                Load(ref m, 18 + j, ms, mp), Load(ref m, 24 + j, ms, mp), Load(ref m, 30 + j, ms, mp),
                out var o0, out var o1, out var o2, out var o3);
            o0.StoreUnsafe(ref t, (nuint)(8 * j)); o1.StoreUnsafe(ref t, (nuint)(8 * (6 + j)));
            o2.StoreUnsafe(ref t, (nuint)(8 * (12 + j))); o3.StoreUnsafe(ref t, (nuint)(8 * (18 + j)));
        }
        // Aᵀ along each row a: Y[a, b] = Σ_j Aᵀ[b, j]·t[a, j].
        for (int a = 0; a < 4; a++)
        {
            A(Load(ref t, 6 * a, 8, 0), Load(ref t, 6 * a + 1, 8, 0), Load(ref t, 6 * a + 2, 8, 0),
                Load(ref t, 6 * a + 3, 8, 0), Load(ref t, 6 * a + 4, 8, 0), Load(ref t, 6 * a + 5, 8, 0),
                out var o0, out var o1, out var o2, out var o3);
            o0.StoreUnsafe(ref y, (nuint)(4 * a * ys + yp)); o1.StoreUnsafe(ref y, (nuint)((4 * a + 1) * ys + yp));
            o2.StoreUnsafe(ref y, (nuint)((4 * a + 2) * ys + yp)); o3.StoreUnsafe(ref y, (nuint)((4 * a + 3) * ys + yp));
        }
    }

    /// <summary>
    /// ∂L/∂M = A·dy·Aᵀ for the 8 tiles at <paramref name="sp"/> of <paramref name="src"/> (16 planes of output
    /// gradients (a, b) of <paramref name="ss"/> floats) into <paramref name="m"/> at <paramref name="mp"/> (36 planes
    /// of <paramref name="ms"/> floats); <paramref name="t"/> is 24 vectors of scratch. A·p for a row p of four is
    /// (p0, p0 + p1 + p2 + p3, p0 − p1 + p2 − p3, p0 + 2p1 + 4p2 + 8p3, p0 − 2p1 + 4p2 − 8p3, p3).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gradient8(ref float src, int ss, int sp, ref float m, int ms, int mp, ref float t)
    {
        for (int a = 0; a < 4; a++)
        {
            At(Load(ref src, 4 * a, ss, sp), Load(ref src, 4 * a + 1, ss, sp), Load(ref src, 4 * a + 2, ss, sp),
                Load(ref src, 4 * a + 3, ss, sp), out var q0, out var q1, out var q2, out var q3, out var q4, out var q5);
            q0.StoreUnsafe(ref t, (nuint)(8 * (6 * a))); q1.StoreUnsafe(ref t, (nuint)(8 * (6 * a + 1)));
            q2.StoreUnsafe(ref t, (nuint)(8 * (6 * a + 2))); q3.StoreUnsafe(ref t, (nuint)(8 * (6 * a + 3)));
            q4.StoreUnsafe(ref t, (nuint)(8 * (6 * a + 4))); q5.StoreUnsafe(ref t, (nuint)(8 * (6 * a + 5)));
        }
        for (int j = 0; j < 6; j++)
        {
            At(Load(ref t, j, 8, 0), Load(ref t, 6 + j, 8, 0), Load(ref t, 12 + j, 8, 0), Load(ref t, 18 + j, 8, 0),
                out var q0, out var q1, out var q2, out var q3, out var q4, out var q5);
            q0.StoreUnsafe(ref m, (nuint)(j * ms + mp)); q1.StoreUnsafe(ref m, (nuint)((6 + j) * ms + mp));
            q2.StoreUnsafe(ref m, (nuint)((12 + j) * ms + mp)); q3.StoreUnsafe(ref m, (nuint)((18 + j) * ms + mp));
            q4.StoreUnsafe(ref m, (nuint)((24 + j) * ms + mp)); q5.StoreUnsafe(ref m, (nuint)((30 + j) * ms + mp));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void At(Vector256<float> p0, Vector256<float> p1, Vector256<float> p2, Vector256<float> p3,
        out Vector256<float> q0, out Vector256<float> q1, out Vector256<float> q2, out Vector256<float> q3,
        out Vector256<float> q4, out Vector256<float> q5)
    {
        var e = p0 + p2;
        var o = p1 + p3;
        var e2 = p0 + Vector256.Create(4f) * p2;
        var o2 = Vector256.Create(2f) * p1 + Vector256.Create(8f) * p3;
        q0 = p0; q1 = e + o; q2 = e - o; q3 = e2 + o2; q4 = e2 - o2; q5 = p3;
    }

    /// <summary>
    /// dg (+)= Gᵀ·dU·G for one channel pair, dU[ξ] at <c>ξ·plane + at</c>, in double; dg is the 3×3 filter gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InverseFilter(ReadOnlySpan<float> du, int plane, int at, Span<float> dg, bool accumulate)
    {
        Span<double> t = stackalloc double[18];
        for (int b = 0; b < 6; b++)
            ColumnT(du[b * plane + at], du[(6 + b) * plane + at], du[(12 + b) * plane + at], du[(18 + b) * plane + at],
                du[(24 + b) * plane + at], du[(30 + b) * plane + at], out t[b], out t[6 + b], out t[12 + b]);
        for (int r = 0; r < 3; r++)
        {
            ColumnT(t[6 * r], t[6 * r + 1], t[6 * r + 2], t[6 * r + 3], t[6 * r + 4], t[6 * r + 5], out double g0, out double g1, out double g2);
            if (accumulate) { dg[3 * r] += (float)g0; dg[3 * r + 1] += (float)g1; dg[3 * r + 2] += (float)g2; }
            else { dg[3 * r] = (float)g0; dg[3 * r + 1] = (float)g1; dg[3 * r + 2] = (float)g2; }
        }
    }

    // Gᵀ·u for six values.
    private static void ColumnT(double u0, double u1, double u2, double u3, double u4, double u5, out double r0, out double r1, out double r2)
    {
        r0 = u0 / 4 - (u1 + u2) / 6 + (u3 + u4) / 24;
        r1 = (u2 - u1) / 6 + (u3 - u4) / 12;
        r2 = (u3 + u4 - u1 - u2) / 6 + u5;
    }

    /// <summary>
    /// The 32 floats from <paramref name="at"/> as 8 tiles of 4 columns → column c of the 8 tiles in <c>cc</c>
    /// (AVX2): an in-lane 4×4 transpose leaves the even tiles in the low half and the odd ones in the high half, one
    /// permutation puts them in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Columns4(ref float row, int at,
        out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3)
    {
        Transpose4(Vector256.LoadUnsafe(ref row, (nuint)at), Vector256.LoadUnsafe(ref row, (nuint)(at + 8)),
            Vector256.LoadUnsafe(ref row, (nuint)(at + 16)), Vector256.LoadUnsafe(ref row, (nuint)(at + 24)),
            out var e0, out var e1, out var e2, out var e3);
        var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
        c0 = Avx2.PermuteVar8x32(e0, order); c1 = Avx2.PermuteVar8x32(e1, order);
        c2 = Avx2.PermuteVar8x32(e2, order); c3 = Avx2.PermuteVar8x32(e3, order);
    }

    /// <summary>The inverse of <see cref="Columns4"/>: column c of 8 tiles → 32 floats from <paramref name="at"/>, tile by tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreColumns4(Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3, ref float row, int at)
    {
        var order = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        Transpose4(Avx2.PermuteVar8x32(c0, order), Avx2.PermuteVar8x32(c1, order), Avx2.PermuteVar8x32(c2, order),
            Avx2.PermuteVar8x32(c3, order), out var r0, out var r1, out var r2, out var r3);
        r0.StoreUnsafe(ref row, (nuint)at); r1.StoreUnsafe(ref row, (nuint)(at + 8));
        r2.StoreUnsafe(ref row, (nuint)(at + 16)); r3.StoreUnsafe(ref row, (nuint)(at + 24));
    }

    // 4×4 transposes within each 128-bit half.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        out Vector256<float> c0, out Vector256<float> c1, out Vector256<float> c2, out Vector256<float> c3)
    {
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        c0 = Avx.Shuffle(t0, t2, 0x44); c1 = Avx.Shuffle(t0, t2, 0xEE);
        c2 = Avx.Shuffle(t1, t3, 0x44); c3 = Avx.Shuffle(t1, t3, 0xEE);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Load(ref float p, int plane, int stride, int at) =>
        Vector256.LoadUnsafe(ref p, (nuint)(plane * stride + at));

    /// <summary>
    /// U[ξ, row, col] = (G·g·Gᵀ)[ξ] for one 3×3 filter g (row-major), computed in double; <paramref name="plane"/> is
    /// the distance between transform points in <paramref name="u"/>.
    /// G = [[¼,0,0],[−⅙,−⅙,−⅙],[−⅙,⅙,−⅙],[1/24,1/12,⅙],[1/24,−1/12,⅙],[0,0,1]].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Filter(ReadOnlySpan<float> g, Span<float> u, int plane, int at)
    {
        Span<double> gg = stackalloc double[18];
        for (int j = 0; j < 3; j++)
            Column(g[j], g[3 + j], g[6 + j], gg, j, 3);
        Span<double> row = stackalloc double[6];
        for (int a = 0; a < 6; a++)
        {
            Column(gg[3 * a], gg[3 * a + 1], gg[3 * a + 2], row, 0, 1);
            for (int b = 0; b < 6; b++) u[(6 * a + b) * plane + at] = (float)row[b];
        }
    }

    // G·(g0, g1, g2) into out[at + k·stride], k = 0..5.
    private static void Column(double g0, double g1, double g2, Span<double> o, int at, int stride)
    {
        o[at] = g0 / 4;
        o[at + stride] = -(g0 + g1 + g2) / 6;
        o[at + 2 * stride] = -(g0 - g1 + g2) / 6;
        o[at + 3 * stride] = g0 / 24 + g1 / 12 + g2 / 6;
        o[at + 4 * stride] = g0 / 24 - g1 / 12 + g2 / 6;
        o[at + 5 * stride] = g2;
    }
}
