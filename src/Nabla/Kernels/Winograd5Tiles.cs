using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The tile transforms of <see cref="Winograd5Conv"/> (F(2×2, 5×5), points 0, ±1, ±2, ∞) for 8 neighbouring tiles of
/// one tile row in AVX registers, or one tile in scalar code: the input transform V = Bᵀ·d·B over 6×6 input tiles (rows
/// first, <see cref="Row8"/>, then columns, <see cref="Column8"/>), the
/// output transform Y = Aᵀ·M·A and the gradient transform ∂L/∂M = A·dy·Aᵀ. The scalar and vector versions run the same
/// float operations in the same order (no fused multiply-add), so a tile's bits do not depend on which one computed it.
/// </summary>
/// <remarks>
/// <para>Bᵀ = [[4,0,−5,0,1,0],[0,−4,−4,1,1,0],[0,4,−4,−1,1,0],[0,−2,−1,2,1,0],[0,2,−1,−2,1,0],[0,4,0,−5,0,1]] (the same
/// matrix as F(4, 3) on these points), Aᵀ = [[1,1,1,1,1,0],[0,1,−1,2,−2,1]].</para>
/// <para>Input taps come from a tile row's six zero-padded input rows split into even and odd columns (Eᵢ, Oᵢ for row
/// i): tile tx has d[i, 0..5] = Eᵢ[tx], Oᵢ[tx], Eᵢ[tx + 1], Oᵢ[tx + 1], Eᵢ[tx + 2], Oᵢ[tx + 2].
/// Transform point ξ = 6i + j of tile <c>at</c> lives at <c>ξ·plane + at</c>.</para>
/// </remarks>
internal static class Winograd5Tiles
{
    /// <summary>
    /// Bᵀ along one input row for 8 tiles from tx: u_j of tile tx + l (j = 0..5) at <c>j·stride + tx + l</c> from
    /// <paramref name="u"/>. Tile rows overlap by four input rows, so each input row is transformed once and its u reused by
    /// the three tile rows that contain it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row8(ref float even, ref float odd, int tx, ref float u, int stride)
    {
        ref float e = ref Unsafe.Add(ref even, tx);
        ref float o = ref Unsafe.Add(ref odd, tx);
        Transform(Vector256.LoadUnsafe(ref e), Vector256.LoadUnsafe(ref o), Vector256.LoadUnsafe(ref e, 1),
            Vector256.LoadUnsafe(ref o, 1), Vector256.LoadUnsafe(ref e, 2), Vector256.LoadUnsafe(ref o, 2),
            out var u0, out var u1, out var u2, out var u3, out var u4, out var u5);
        ref float r = ref Unsafe.Add(ref u, tx);
        u0.StoreUnsafe(ref r);
        u1.StoreUnsafe(ref r, (nuint)stride);
        u2.StoreUnsafe(ref r, (nuint)(2 * stride));
        u3.StoreUnsafe(ref r, (nuint)(3 * stride));
        u4.StoreUnsafe(ref r, (nuint)(4 * stride));
        u5.StoreUnsafe(ref r, (nuint)(5 * stride));
    }

    /// <summary>One tile at tx (scalar), as <see cref="Row8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row1(ref float even, ref float odd, int tx, ref float u, int stride)
    {
        ref float e = ref Unsafe.Add(ref even, tx);
        ref float o = ref Unsafe.Add(ref odd, tx);
        ref float r = ref Unsafe.Add(ref u, tx);
        Transform(e, o, Unsafe.Add(ref e, 1), Unsafe.Add(ref o, 1), Unsafe.Add(ref e, 2), Unsafe.Add(ref o, 2),
            out r, out Unsafe.Add(ref r, stride), out Unsafe.Add(ref r, 2 * stride), out Unsafe.Add(ref r, 3 * stride),
            out Unsafe.Add(ref r, 4 * stride), out Unsafe.Add(ref r, 5 * stride));
    }

    /// <summary>
    /// Bᵀ down the columns for 8 tiles from tx whose six input rows' <see cref="Row8"/> results start at
    /// <paramref name="u"/> (row i at <c>i·rowStride</c>): V[ξ] of tile tx + l at <c>ξ·plane + at + l</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Column8(ref float u, int rowStride, int stride, int tx, ref float v, int plane, int at)
    {
        // V[a, j] = Σ_i Bᵀ[a, i]·u_j(row i).
        ref float top = ref Unsafe.Add(ref u, tx);
        for (int j = 0; j < 6; j++)
        {
            ref float col = ref Unsafe.Add(ref top, j * stride);
            Transform(Vector256.LoadUnsafe(ref col), Vector256.LoadUnsafe(ref col, (nuint)rowStride),
                Vector256.LoadUnsafe(ref col, (nuint)(2 * rowStride)), Vector256.LoadUnsafe(ref col, (nuint)(3 * rowStride)),
                Vector256.LoadUnsafe(ref col, (nuint)(4 * rowStride)), Vector256.LoadUnsafe(ref col, (nuint)(5 * rowStride)),
                out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
            v0.StoreUnsafe(ref v, (nuint)(j * plane + at));
            v1.StoreUnsafe(ref v, (nuint)((6 + j) * plane + at));
            v2.StoreUnsafe(ref v, (nuint)((12 + j) * plane + at));
            v3.StoreUnsafe(ref v, (nuint)((18 + j) * plane + at));
            v4.StoreUnsafe(ref v, (nuint)((24 + j) * plane + at));
            v5.StoreUnsafe(ref v, (nuint)((30 + j) * plane + at));
        }
    }

    /// <summary>
    /// <see cref="Column8"/> for 8 tiles split at a packed panel's edge (AVX2): lanes below <paramref name="keep"/> (1..7)
    /// go to <c>ξ·plane + at + l</c>, the others, when <paramref name="next"/> ≥ 0, to <c>ξ·plane + next + l − keep</c>
    /// (and on past next + 8 − keep into later tiles). The first store also runs on past <c>at + keep</c> (into the
    /// next channel's row of the panel, written afterwards) unless <paramref name="last"/>, where it keeps what is there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Column8Split(ref float u, int rowStride, int stride, int tx, ref float v, int plane, int at,
        int keep, int next, bool last)
    {
        var iota = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        var shift = (iota + Vector256.Create(keep)) & Vector256.Create(7);
        var mask = Vector256.LessThan(iota, Vector256.Create(keep)).AsSingle();
        ref float top = ref Unsafe.Add(ref u, tx);
        for (int j = 0; j < 6; j++)
        {
            ref float col = ref Unsafe.Add(ref top, j * stride);
            Transform(Vector256.LoadUnsafe(ref col), Vector256.LoadUnsafe(ref col, (nuint)rowStride),
                Vector256.LoadUnsafe(ref col, (nuint)(2 * rowStride)), Vector256.LoadUnsafe(ref col, (nuint)(3 * rowStride)),
                Vector256.LoadUnsafe(ref col, (nuint)(4 * rowStride)), Vector256.LoadUnsafe(ref col, (nuint)(5 * rowStride)),
                out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
            Put(v0, ref Unsafe.Add(ref v, j * plane), at, next, last, shift, mask);
            Put(v1, ref Unsafe.Add(ref v, (6 + j) * plane), at, next, last, shift, mask);
            Put(v2, ref Unsafe.Add(ref v, (12 + j) * plane), at, next, last, shift, mask);
            Put(v3, ref Unsafe.Add(ref v, (18 + j) * plane), at, next, last, shift, mask);
            Put(v4, ref Unsafe.Add(ref v, (24 + j) * plane), at, next, last, shift, mask);
            Put(v5, ref Unsafe.Add(ref v, (30 + j) * plane), at, next, last, shift, mask);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> x, ref float plane, int at, int next, bool last, Vector256<int> shift, Vector256<float> mask)
    {
        if (next >= 0) Avx2.PermuteVar8x32(x, shift).StoreUnsafe(ref plane, (nuint)next);
        if (last) x = Avx.BlendVariable(Vector256.LoadUnsafe(ref plane, (nuint)at), x, mask);
        x.StoreUnsafe(ref plane, (nuint)at);
    }

    /// <summary>One tile at tx (scalar), as <see cref="Column8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Column1(ref float u, int rowStride, int stride, int tx, ref float v, int plane, int at)
    {
        ref float top = ref Unsafe.Add(ref u, tx);
        for (int j = 0; j < 6; j++)
        {
            ref float col = ref Unsafe.Add(ref top, j * stride);
            Transform(col, Unsafe.Add(ref col, rowStride), Unsafe.Add(ref col, 2 * rowStride), Unsafe.Add(ref col, 3 * rowStride),
                Unsafe.Add(ref col, 4 * rowStride), Unsafe.Add(ref col, 5 * rowStride),
                out float v0, out float v1, out float v2, out float v3, out float v4, out float v5);
            Unsafe.Add(ref v, j * plane + at) = v0;
            Unsafe.Add(ref v, (6 + j) * plane + at) = v1;
            Unsafe.Add(ref v, (12 + j) * plane + at) = v2;
            Unsafe.Add(ref v, (18 + j) * plane + at) = v3;
            Unsafe.Add(ref v, (24 + j) * plane + at) = v4;
            Unsafe.Add(ref v, (30 + j) * plane + at) = v5;
        }
    }

    // Bᵀ·d for six taps. Shared terms: v1, v2 = (d4 ∓ d3) ∓ 4(d1 ± d2); v3, v4 = (d4 − d2) ± 2(d3 − d1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform(Vector256<float> d0, Vector256<float> d1, Vector256<float> d2, Vector256<float> d3,
        Vector256<float> d4, Vector256<float> d5, out Vector256<float> v0, out Vector256<float> v1, out Vector256<float> v2,
        out Vector256<float> v3, out Vector256<float> v4, out Vector256<float> v5)
    {
        var four = Vector256.Create(4f);
        var five = Vector256.Create(5f);
        var two = Vector256.Create(2f);
        var c = d4 - d2;
        var s = two * (d3 - d1);
        v0 = four * d0 - five * d2 + d4;
        v1 = (d3 + d4) - four * (d1 + d2);
        v2 = (d4 - d3) + four * (d1 - d2);
        v3 = c + s;
        v4 = c - s;
        v5 = four * d1 - five * d3 + d5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transform(float d0, float d1, float d2, float d3, float d4, float d5,
        out float v0, out float v1, out float v2, out float v3, out float v4, out float v5)
    {
        float c = d4 - d2, s = 2f * (d3 - d1);
        v0 = 4f * d0 - 5f * d2 + d4;
        v1 = (d3 + d4) - 4f * (d1 + d2);
        v2 = (d4 - d3) + 4f * (d1 - d2);
        v3 = c + s;
        v4 = c - s;
        v5 = 4f * d1 - 5f * d3 + d5;
    }

    /// <summary>
    /// 8 tiles from <paramref name="at"/> → their outputs plus the bias: the even and odd columns of the top row
    /// (<paramref name="even0"/>, <paramref name="odd0"/>) and of the bottom row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output8(ref float m, int plane, int at, float bias,
        out Vector256<float> even0, out Vector256<float> odd0, out Vector256<float> even1, out Vector256<float> odd1)
    {
        // Aᵀ on the left, column by column (s0j, s1j), then A on the right.
        Left(ref m, 0, plane, at, out Vector256<float> s00, out var s10);
        Left(ref m, 1, plane, at, out Vector256<float> s01, out var s11);
        Left(ref m, 2, plane, at, out Vector256<float> s02, out var s12);
        Left(ref m, 3, plane, at, out Vector256<float> s03, out var s13);
        Left(ref m, 4, plane, at, out Vector256<float> s04, out var s14);
        Left(ref m, 5, plane, at, out Vector256<float> s05, out var s15);
        var b = Vector256.Create(bias);
        Combine(s00, s01, s02, s03, s04, s05, out even0, out odd0);
        Combine(s10, s11, s12, s13, s14, s15, out even1, out odd1);
        even0 += b; odd0 += b; even1 += b; odd1 += b;
    }

    /// <summary>One tile → its 2×2 outputs without the bias: y00, y01 (top row), y10, y11.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output1(ref float m, int plane, int at, out float y00, out float y01, out float y10, out float y11)
    {
        Left(ref m, 0, plane, at, out float s00, out float s10);
        Left(ref m, 1, plane, at, out float s01, out float s11);
        Left(ref m, 2, plane, at, out float s02, out float s12);
        Left(ref m, 3, plane, at, out float s03, out float s13);
        Left(ref m, 4, plane, at, out float s04, out float s14);
        Left(ref m, 5, plane, at, out float s05, out float s15);
        Combine(s00, s01, s02, s03, s04, s05, out y00, out y01);
        Combine(s10, s11, s12, s13, s14, s15, out y10, out y11);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Left(ref float m, int j, int plane, int at, out Vector256<float> top, out Vector256<float> bottom) =>
        Combine(Vector256.LoadUnsafe(ref m, (nuint)(j * plane + at)), Vector256.LoadUnsafe(ref m, (nuint)((6 + j) * plane + at)),
            Vector256.LoadUnsafe(ref m, (nuint)((12 + j) * plane + at)), Vector256.LoadUnsafe(ref m, (nuint)((18 + j) * plane + at)),
            Vector256.LoadUnsafe(ref m, (nuint)((24 + j) * plane + at)), Vector256.LoadUnsafe(ref m, (nuint)((30 + j) * plane + at)),
            out top, out bottom);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Left(ref float m, int j, int plane, int at, out float top, out float bottom) =>
        Combine(Unsafe.Add(ref m, j * plane + at), Unsafe.Add(ref m, (6 + j) * plane + at), Unsafe.Add(ref m, (12 + j) * plane + at),
            Unsafe.Add(ref m, (18 + j) * plane + at), Unsafe.Add(ref m, (24 + j) * plane + at), Unsafe.Add(ref m, (30 + j) * plane + at),
            out top, out bottom);

    // Aᵀ·m for six points: y0 = m0 + m1 + m2 + m3 + m4, y1 = (m1 − m2) + 2(m3 − m4) + m5.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine(Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3,
        Vector256<float> m4, Vector256<float> m5, out Vector256<float> y0, out Vector256<float> y1)
    {
        y0 = m0 + (m1 + m2) + (m3 + m4);
        y1 = (m1 - m2) + Vector256.Create(2f) * (m3 - m4) + m5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine(float m0, float m1, float m2, float m3, float m4, float m5, out float y0, out float y1)
    {
        y0 = m0 + (m1 + m2) + (m3 + m4);
        y1 = (m1 - m2) + 2f * (m3 - m4) + m5;
    }

    /// <summary>The even and odd floats of the 16 from <paramref name="at"/> (AVX2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Split(ref float line, int at, out Vector256<float> even, out Vector256<float> odd)
    {
        var lo = Vector256.LoadUnsafe(ref line, (nuint)at);
        var hi = Vector256.LoadUnsafe(ref line, (nuint)(at + 8));
        // Within each 128-bit lane the shuffles give (lo0, lo2, hi0, hi2 | lo4, lo6, hi4, hi6); the permute orders the 64-bit pairs.
        even = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0x88).AsDouble(), 0xD8).AsSingle();
        odd = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0xDD).AsDouble(), 0xD8).AsSingle();
    }

    /// <summary>Interleaves even and odd output columns into 16 consecutive pixels from <paramref name="row"/> (added when <paramref name="accumulate"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write(ref float row, Vector256<float> even, Vector256<float> odd, bool accumulate)
    {
        var lo = Avx.UnpackLow(even, odd);
        var hi = Avx.UnpackHigh(even, odd);
        var first = Avx.Permute2x128(lo, hi, 0x20);
        var next = Avx.Permute2x128(lo, hi, 0x31);
        if (accumulate)
        {
            first += Vector256.LoadUnsafe(ref row);
            next += Vector256.LoadUnsafe(ref row, 8);
        }
        first.StoreUnsafe(ref row);
        next.StoreUnsafe(ref row, 8);
    }

    /// <summary>
    /// ∂L/∂M = A·dy·Aᵀ for 8 tiles from <paramref name="i"/> whose 2×2 gradients are (a, b; c, d), lane by lane: the rows of A·dy are (a, b), (a + c, b + d), (a − c, b − d), (a + 2c, b + 2d),
    /// (a − 2c, b − 2d), (c, d), and each row (p, q) becomes (p, p + q, p − q, p + 2q, p − 2q, q).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gradient8(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d, ref float m, int plane, int i)
    {
        var two = Vector256.Create(2f);
        var c2 = two * c;
        var d2 = two * d;
        Row(ref m, 0, plane, i, a, b);
        Row(ref m, 1, plane, i, a + c, b + d);
        Row(ref m, 2, plane, i, a - c, b - d);
        Row(ref m, 3, plane, i, a + c2, b + d2);
        Row(ref m, 4, plane, i, a - c2, b - d2);
        Row(ref m, 5, plane, i, c, d);
    }

    /// <summary>One tile of <see cref="Gradient8"/> (scalar), its gradients in four planes of <paramref name="t"/> floats from <paramref name="q"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gradient1(ref float q, int t, int i, ref float m, int plane)
    {
        float a = Unsafe.Add(ref q, i), b = Unsafe.Add(ref q, t + i);
        float c = Unsafe.Add(ref q, 2 * t + i), d = Unsafe.Add(ref q, 3 * t + i);
        float c2 = 2f * c, d2 = 2f * d;
        Row(ref m, 0, plane, i, a, b);
        Row(ref m, 1, plane, i, a + c, b + d);
        Row(ref m, 2, plane, i, a - c, b - d);
        Row(ref m, 3, plane, i, a + c2, b + d2);
        Row(ref m, 4, plane, i, a - c2, b - d2);
        Row(ref m, 5, plane, i, c, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(ref float m, int r, int plane, int at, Vector256<float> p, Vector256<float> q)
    {
        var q2 = Vector256.Create(2f) * q;
        p.StoreUnsafe(ref m, (nuint)(6 * r * plane + at));
        (p + q).StoreUnsafe(ref m, (nuint)((6 * r + 1) * plane + at));
        (p - q).StoreUnsafe(ref m, (nuint)((6 * r + 2) * plane + at));
        (p + q2).StoreUnsafe(ref m, (nuint)((6 * r + 3) * plane + at));
        (p - q2).StoreUnsafe(ref m, (nuint)((6 * r + 4) * plane + at));
        q.StoreUnsafe(ref m, (nuint)((6 * r + 5) * plane + at));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(ref float m, int r, int plane, int at, float p, float q)
    {
        float q2 = 2f * q;
        Unsafe.Add(ref m, 6 * r * plane + at) = p;
        Unsafe.Add(ref m, (6 * r + 1) * plane + at) = p + q;
        Unsafe.Add(ref m, (6 * r + 2) * plane + at) = p - q;
        Unsafe.Add(ref m, (6 * r + 3) * plane + at) = p + q2;
        Unsafe.Add(ref m, (6 * r + 4) * plane + at) = p - q2;
        Unsafe.Add(ref m, (6 * r + 5) * plane + at) = q;
    }
}
