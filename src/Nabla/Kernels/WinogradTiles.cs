using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The tile transforms of <see cref="WinogradConv"/> for 8, 4 or 1 neighbouring tiles of one tile row: the input
/// transform V = Bᵀ·d·B and the output transform Y = Aᵀ·M·A, each in registers. Every width runs the same
/// operations in the same order, so a tile gets the same bits whichever width computed it.
/// </summary>
/// <remarks>
/// Input taps come from a tile row's four zero-padded input rows split into even and odd columns
/// (<c>eo</c> = E₀, O₀, E₁, O₁, … rows of <c>len</c> floats): tile tx has d[i, 0..3] = Eᵢ[tx], Oᵢ[tx], Eᵢ[tx + 1],
/// Oᵢ[tx + 1]. Transform point ξ = 4i + j of tile <c>at</c> lives at <c>ξ·plane + at</c> in V and in M. Outputs
/// come out as even and odd columns and are interleaved on the way to the image row.
/// </remarks>
internal static class WinogradTiles
{
    /// <summary>8 tiles from tx (Vector256).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input8(ref float eo, int len, int tx, ref float v, int plane, int at)
    {
        // Along the columns of each tile row: u[i, 0..3] = d_i0 − d_i2, d_i1 + d_i2, d_i2 − d_i1, d_i1 − d_i3.
        Columns(ref eo, 0, len, tx, out Vector256<float> u00, out var u01, out var u02, out var u03);
        Columns(ref eo, 1, len, tx, out Vector256<float> u10, out var u11, out var u12, out var u13);
        Columns(ref eo, 2, len, tx, out Vector256<float> u20, out var u21, out var u22, out var u23);
        Columns(ref eo, 3, len, tx, out Vector256<float> u30, out var u31, out var u32, out var u33);
        // Along the rows: V[0, j] = u0j − u2j, V[1, j] = u1j + u2j, V[2, j] = u2j − u1j, V[3, j] = u1j − u3j.
        Store(ref v, 0, plane, at, u00 - u20, u01 - u21, u02 - u22, u03 - u23);
        Store(ref v, 1, plane, at, u10 + u20, u11 + u21, u12 + u22, u13 + u23);
        Store(ref v, 2, plane, at, u20 - u10, u21 - u11, u22 - u12, u23 - u13);
        Store(ref v, 3, plane, at, u10 - u30, u11 - u31, u12 - u32, u13 - u33);
    }

    /// <summary>4 tiles from tx (Vector128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input4(ref float eo, int len, int tx, ref float v, int plane, int at)
    {
        Columns(ref eo, 0, len, tx, out Vector128<float> u00, out var u01, out var u02, out var u03);
        Columns(ref eo, 1, len, tx, out Vector128<float> u10, out var u11, out var u12, out var u13);
        Columns(ref eo, 2, len, tx, out Vector128<float> u20, out var u21, out var u22, out var u23);
        Columns(ref eo, 3, len, tx, out Vector128<float> u30, out var u31, out var u32, out var u33);
        Store(ref v, 0, plane, at, u00 - u20, u01 - u21, u02 - u22, u03 - u23);
        Store(ref v, 1, plane, at, u10 + u20, u11 + u21, u12 + u22, u13 + u23);
        Store(ref v, 2, plane, at, u20 - u10, u21 - u11, u22 - u12, u23 - u13);
        Store(ref v, 3, plane, at, u10 - u30, u11 - u31, u12 - u32, u13 - u33);
    }

    /// <summary>One tile at tx (scalar).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input1(ref float eo, int len, int tx, ref float v, int plane, int at)
    {
        Columns(ref eo, 0, len, tx, out float u00, out float u01, out float u02, out float u03);
        Columns(ref eo, 1, len, tx, out float u10, out float u11, out float u12, out float u13);
        Columns(ref eo, 2, len, tx, out float u20, out float u21, out float u22, out float u23);
        Columns(ref eo, 3, len, tx, out float u30, out float u31, out float u32, out float u33);
        Store(ref v, 0, plane, at, u00 - u20, u01 - u21, u02 - u22, u03 - u23);
        Store(ref v, 1, plane, at, u10 + u20, u11 + u21, u12 + u22, u13 + u23);
        Store(ref v, 2, plane, at, u20 - u10, u21 - u11, u22 - u12, u23 - u13);
        Store(ref v, 3, plane, at, u10 - u30, u11 - u31, u12 - u32, u13 - u33);
    }

    private static void Columns(ref float eo, int i, int len, int tx,
        out Vector256<float> a, out Vector256<float> b, out Vector256<float> c, out Vector256<float> d)
    {
        var e0 = Vector256.LoadUnsafe(ref eo, (nuint)(2 * i * len + tx));
        var e1 = Vector256.LoadUnsafe(ref eo, (nuint)(2 * i * len + tx + 1));
        var o0 = Vector256.LoadUnsafe(ref eo, (nuint)((2 * i + 1) * len + tx));
        var o1 = Vector256.LoadUnsafe(ref eo, (nuint)((2 * i + 1) * len + tx + 1));
        a = e0 - e1; b = o0 + e1; c = e1 - o0; d = o0 - o1;
    }

    private static void Columns(ref float eo, int i, int len, int tx,
        out Vector128<float> a, out Vector128<float> b, out Vector128<float> c, out Vector128<float> d)
    {
        var e0 = Vector128.LoadUnsafe(ref eo, (nuint)(2 * i * len + tx));
        var e1 = Vector128.LoadUnsafe(ref eo, (nuint)(2 * i * len + tx + 1));
        var o0 = Vector128.LoadUnsafe(ref eo, (nuint)((2 * i + 1) * len + tx));
        var o1 = Vector128.LoadUnsafe(ref eo, (nuint)((2 * i + 1) * len + tx + 1));
        a = e0 - e1; b = o0 + e1; c = e1 - o0; d = o0 - o1;
    }

    private static void Columns(ref float eo, int i, int len, int tx, out float a, out float b, out float c, out float d)
    {
        float e0 = Unsafe.Add(ref eo, 2 * i * len + tx), e1 = Unsafe.Add(ref eo, 2 * i * len + tx + 1);
        float o0 = Unsafe.Add(ref eo, (2 * i + 1) * len + tx), o1 = Unsafe.Add(ref eo, (2 * i + 1) * len + tx + 1);
        a = e0 - e1; b = o0 + e1; c = e1 - o0; d = o0 - o1;
    }

    private static void Store(ref float v, int i, int plane, int at, Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        a.StoreUnsafe(ref v, (nuint)(4 * i * plane + at));
        b.StoreUnsafe(ref v, (nuint)((4 * i + 1) * plane + at));
        c.StoreUnsafe(ref v, (nuint)((4 * i + 2) * plane + at));
        d.StoreUnsafe(ref v, (nuint)((4 * i + 3) * plane + at));
    }

    private static void Store(ref float v, int i, int plane, int at, Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
    {
        a.StoreUnsafe(ref v, (nuint)(4 * i * plane + at));
        b.StoreUnsafe(ref v, (nuint)((4 * i + 1) * plane + at));
        c.StoreUnsafe(ref v, (nuint)((4 * i + 2) * plane + at));
        d.StoreUnsafe(ref v, (nuint)((4 * i + 3) * plane + at));
    }

    private static void Store(ref float v, int i, int plane, int at, float a, float b, float c, float d)
    {
        Unsafe.Add(ref v, 4 * i * plane + at) = a;
        Unsafe.Add(ref v, (4 * i + 1) * plane + at) = b;
        Unsafe.Add(ref v, (4 * i + 2) * plane + at) = c;
        Unsafe.Add(ref v, (4 * i + 3) * plane + at) = d;
    }

    /// <summary>
    /// 8 tiles from <paramref name="at"/> → 16 pixels from column ox of row0 (and row1 when <paramref name="second"/>),
    /// plus the bias; added to the rows when <paramref name="accumulate"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output8(ref float m, int plane, int at, float bias, ref float row0, ref float row1, int ox, bool second, bool accumulate)
    {
        // Aᵀ on the left, column by column: s0j = m0j + m1j + m2j, s1j = m1j − m2j − m3j.
        Left(ref m, 0, plane, at, out Vector256<float> s00, out var s10);
        Left(ref m, 1, plane, at, out Vector256<float> s01, out var s11);
        Left(ref m, 2, plane, at, out Vector256<float> s02, out var s12);
        Left(ref m, 3, plane, at, out Vector256<float> s03, out var s13);
        var b = Vector256.Create(bias);
        // A on the right: even column si0 + si1 + si2, odd column si1 − si2 − si3.
        Write(ref row0, ox, s00 + s01 + s02 + b, s01 - s02 - s03 + b, accumulate);
        if (second) Write(ref row1, ox, s10 + s11 + s12 + b, s11 - s12 - s13 + b, accumulate);
    }

    /// <summary>4 tiles → 8 pixels per row, as <see cref="Output8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output4(ref float m, int plane, int at, float bias, ref float row0, ref float row1, int ox, bool second, bool accumulate)
    {
        Left(ref m, 0, plane, at, out Vector128<float> s00, out var s10);
        Left(ref m, 1, plane, at, out Vector128<float> s01, out var s11);
        Left(ref m, 2, plane, at, out Vector128<float> s02, out var s12);
        Left(ref m, 3, plane, at, out Vector128<float> s03, out var s13);
        var b = Vector128.Create(bias);
        Write(ref row0, ox, s00 + s01 + s02 + b, s01 - s02 - s03 + b, accumulate);
        if (second) Write(ref row1, ox, s10 + s11 + s12 + b, s11 - s12 - s13 + b, accumulate);
    }

    /// <summary>One tile → its 2×2 pixels without the bias: y00, y01 (top row), y10, y11.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output1(ref float m, int plane, int at, out float y00, out float y01, out float y10, out float y11)
    {
        Left(ref m, 0, plane, at, out float s00, out float s10);
        Left(ref m, 1, plane, at, out float s01, out float s11);
        Left(ref m, 2, plane, at, out float s02, out float s12);
        Left(ref m, 3, plane, at, out float s03, out float s13);
        y00 = s00 + s01 + s02; y01 = s01 - s02 - s03;
        y10 = s10 + s11 + s12; y11 = s11 - s12 - s13;
    }

    private static void Left(ref float m, int j, int plane, int at, out Vector256<float> top, out Vector256<float> bottom)
    {
        var m0 = Vector256.LoadUnsafe(ref m, (nuint)(j * plane + at));
        var m1 = Vector256.LoadUnsafe(ref m, (nuint)((4 + j) * plane + at));
        var m2 = Vector256.LoadUnsafe(ref m, (nuint)((8 + j) * plane + at));
        var m3 = Vector256.LoadUnsafe(ref m, (nuint)((12 + j) * plane + at));
        top = m0 + m1 + m2;
        bottom = m1 - m2 - m3;
    }

    private static void Left(ref float m, int j, int plane, int at, out Vector128<float> top, out Vector128<float> bottom)
    {
        var m0 = Vector128.LoadUnsafe(ref m, (nuint)(j * plane + at));
        var m1 = Vector128.LoadUnsafe(ref m, (nuint)((4 + j) * plane + at));
        var m2 = Vector128.LoadUnsafe(ref m, (nuint)((8 + j) * plane + at));
        var m3 = Vector128.LoadUnsafe(ref m, (nuint)((12 + j) * plane + at));
        top = m0 + m1 + m2;
        bottom = m1 - m2 - m3;
    }

    private static void Left(ref float m, int j, int plane, int at, out float top, out float bottom)
    {
        float m0 = Unsafe.Add(ref m, j * plane + at), m1 = Unsafe.Add(ref m, (4 + j) * plane + at);
        float m2 = Unsafe.Add(ref m, (8 + j) * plane + at), m3 = Unsafe.Add(ref m, (12 + j) * plane + at);
        top = m0 + m1 + m2;
        bottom = m1 - m2 - m3;
    }

    // Interleaves even and odd output columns into consecutive pixels from column ox.
    private static void Write(ref float row, int ox, Vector256<float> even, Vector256<float> odd, bool accumulate)
    {
        var lo = Avx.UnpackLow(even, odd);
        var hi = Avx.UnpackHigh(even, odd);
        var first = Avx.Permute2x128(lo, hi, 0x20);
        var next = Avx.Permute2x128(lo, hi, 0x31);
        if (accumulate)
        {
            first += Vector256.LoadUnsafe(ref row, (nuint)ox);
            next += Vector256.LoadUnsafe(ref row, (nuint)(ox + 8));
        }
        first.StoreUnsafe(ref row, (nuint)ox);
        next.StoreUnsafe(ref row, (nuint)(ox + 8));
    }

    private static void Write(ref float row, int ox, Vector128<float> even, Vector128<float> odd, bool accumulate)
    {
        var first = Sse.UnpackLow(even, odd);
        var next = Sse.UnpackHigh(even, odd);
        if (accumulate)
        {
            first += Vector128.LoadUnsafe(ref row, (nuint)ox);
            next += Vector128.LoadUnsafe(ref row, (nuint)(ox + 4));
        }
        first.StoreUnsafe(ref row, (nuint)ox);
        next.StoreUnsafe(ref row, (nuint)(ox + 4));
    }
}
