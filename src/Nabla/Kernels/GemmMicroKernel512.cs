using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// AVX-512 micro-kernel: a 12×32 tile of C in 24 zmm accumulators. Each k step loads two vectors of
/// packed B and broadcasts 12 values of packed A, so 24 independent FMAs hide the FMA latency and
/// the loads stay well below one per FMA.
/// </summary>
internal readonly struct GemmMicroKernel512 : IGemmMicroKernel
{
    public const int MR = 12;
    public const int NR = 32;

    public static int Rows => MR;

    public static int Cols => NR;

    // A micro-panel: 12·256·4 B = 12 KiB stays in L1 while B panels stream past it. The B block
    // (256·1024·4 B = 1 MiB) fills L2; measured on Zen 4 it beat 512 columns (more A repacking and
    // shorter sweeps) and KC = 384/512 within noise.
    public static int KC => 256;

    public static int NC => 1024;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Vector512<float> c00 = default, c01 = default;
        Vector512<float> c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default;
        Vector512<float> c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        Vector512<float> c70 = default, c71 = default;
        Vector512<float> c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default;
        Vector512<float> c100 = default, c101 = default;
        Vector512<float> c110 = default, c111 = default;
        if (Sse.IsSupported)
        {
            // The C tile is only touched after the k loop; fetching it now hides the misses
            // behind ~kc·24 cycles of FMAs (rows of C are far apart, so hardware prefetch misses them).
            for (int r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
            }
        }
        Vector512<float> av;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            av = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(av, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(av, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(av, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(av, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(av, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(av, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(av, b0, c60);
            c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(av, b0, c70);
            c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            av = Vector512.Create(a[8]);
            c80 = Vector512.FusedMultiplyAdd(av, b0, c80);
            c81 = Vector512.FusedMultiplyAdd(av, b1, c81);
            av = Vector512.Create(a[9]);
            c90 = Vector512.FusedMultiplyAdd(av, b0, c90);
            c91 = Vector512.FusedMultiplyAdd(av, b1, c91);
            av = Vector512.Create(a[10]);
            c100 = Vector512.FusedMultiplyAdd(av, b0, c100);
            c101 = Vector512.FusedMultiplyAdd(av, b1, c101);
            av = Vector512.Create(a[11]);
            c110 = Vector512.FusedMultiplyAdd(av, b0, c110);
            c111 = Vector512.FusedMultiplyAdd(av, b1, c111);
            a += MR;
            b += NR;
        }

        Store(c + 0 * ldc, c00, c01, beta);
        Store(c + 1 * ldc, c10, c11, beta);
        Store(c + 2 * ldc, c20, c21, beta);
        Store(c + 3 * ldc, c30, c31, beta);
        Store(c + 4 * ldc, c40, c41, beta);
        Store(c + 5 * ldc, c50, c51, beta);
        Store(c + 6 * ldc, c60, c61, beta);
        Store(c + 7 * ldc, c70, c71, beta);
        Store(c + 8 * ldc, c80, c81, beta);
        Store(c + 9 * ldc, c90, c91, beta);
        Store(c + 10 * ldc, c100, c101, beta);
        Store(c + 11 * ldc, c110, c111, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector512<float> lo, Vector512<float> hi, float beta)
    {
        if (beta == 0f)
        {
            Vector512.Store(lo, c);
            Vector512.Store(hi, c + 16);
        }
        else if (beta == 1f)
        {
            Vector512.Store(Vector512.Load(c) + lo, c);
            Vector512.Store(Vector512.Load(c + 16) + hi, c + 16);
        }
        else
        {
            var vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c), vb, lo), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, hi), c + 16);
        }
    }
}
