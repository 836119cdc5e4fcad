using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// AVX2 micro-kernel: a 6×16 tile of C in 12 ymm accumulators, leaving 4 of the 16 AVX2 registers
/// for two B vectors and the A broadcast.
/// </summary>
internal readonly struct GemmMicroKernel256 : IGemmMicroKernel
{
    public const int MR = 6;
    public const int NR = 16;

    public static int Rows => MR;

    public static int Cols => NR;

    // A micro-panel: 6·256·4 B = 6 KiB in L1; B block: 256·512·4 B = 512 KiB in L2.
    public static int KC => 256;

    public static int NC => 512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        Vector256<float> av;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            av = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a += MR;
            b += NR;
        }

        Store(c + 0 * ldc, c00, c01, beta);
        Store(c + 1 * ldc, c10, c11, beta);
        Store(c + 2 * ldc, c20, c21, beta);
        Store(c + 3 * ldc, c30, c31, beta);
        Store(c + 4 * ldc, c40, c41, beta);
        Store(c + 5 * ldc, c50, c51, beta);
    }

    /// <summary>
    /// Whether the driver reads full panels of op(A) in place (<see cref="RunRowsA"/>) instead of packing
    /// them: rows of op(A) contiguous, alpha 1, and a row stride not a multiple of 4 KiB (six rows that
    /// far apart share L1 sets).
    /// </summary>
    public static bool ReadsRowsA(nint rsA, nint csA, float alpha) => csA == 1 && alpha == 1f && rsA % 1024 != 0;

    /// <summary>
    /// <see cref="Run"/> reading A where it lies instead of from a packed panel: row r of the tile is
    /// <c>a + r·lda</c>, unit stride in k (a row-major op(A) with alpha 1). The broadcasts and
    /// multiply-adds are those of <see cref="Run"/> in the same order on the same values, so the bits
    /// are the same; what goes is the transposing copy of A into a panel, which for a product with few
    /// column tiles (a dense layer's 128 rows × 256 outputs) is not amortised over many tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunRowsA(int kc, float* a, nint lda, float* b, float* c, nint ldc, float beta)
    {
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        Vector256<float> av;
        // Two row pointers so every row is one base plus 0, 1 or 2 strides: addressable without arithmetic.
        float* a0 = a, a3 = a + 3 * lda;
        nint l2 = 2 * lda;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            av = Vector256.Create(a0[0]);
            c00 = Vector256.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(av, b1, c01);
            av = Vector256.Create(a0[lda]);
            c10 = Vector256.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(av, b1, c11);
            av = Vector256.Create(a0[l2]);
            c20 = Vector256.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(av, b1, c21);
            av = Vector256.Create(a3[0]);
            c30 = Vector256.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(av, b1, c31);
            av = Vector256.Create(a3[lda]);
            c40 = Vector256.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(av, b1, c41);
            av = Vector256.Create(a3[l2]);
            c50 = Vector256.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(av, b1, c51);
            a0++;
            a3++;
            b += NR;
        }

        Store(c + 0 * ldc, c00, c01, beta);
        Store(c + 1 * ldc, c10, c11, beta);
        Store(c + 2 * ldc, c20, c21, beta);
        Store(c + 3 * ldc, c30, c31, beta);
        Store(c + 4 * ldc, c40, c41, beta);
        Store(c + 5 * ldc, c50, c51, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector256<float> lo, Vector256<float> hi, float beta)
    {
        if (beta == 0f)
        {
            Vector256.Store(lo, c);
            Vector256.Store(hi, c + 8);
        }
        else if (beta == 1f)
        {
            Vector256.Store(Vector256.Load(c) + lo, c);
            Vector256.Store(Vector256.Load(c + 8) + hi, c + 8);
        }
        else
        {
            var vb = Vector256.Create(beta);
            Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(c), vb, lo), c);
            Vector256.Store(Vector256.FusedMultiplyAdd(Vector256.Load(c + 8), vb, hi), c + 8);
        }
    }
}
