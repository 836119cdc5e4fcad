using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// AVX-512 micro-kernel for narrow C (n ≤ 16, e.g. a 10-class output layer): a 12×16 tile in 12
/// zmm accumulators. The 32-wide kernel would pad such C to 32 columns and waste two thirds of
/// its FMAs. It uses the same KC and the same fused operations as <see cref="GemmMicroKernel512"/>,
/// so both give identical bits for the same element.
/// </summary>
internal readonly struct GemmMicroKernel512Narrow : IGemmMicroKernel
{
    public const int MR = 12;
    public const int NR = 16;

    public static int Rows => MR;

    public static int Cols => NR;

    public static int KC => GemmMicroKernel512.KC;

    public static int NC => GemmMicroKernel512.NC;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        Vector512<float> c0 = default;
        Vector512<float> c1 = default;
        Vector512<float> c2 = default;
        Vector512<float> c3 = default;
        Vector512<float> c4 = default;
        Vector512<float> c5 = default;
        Vector512<float> c6 = default;
        Vector512<float> c7 = default;
        Vector512<float> c8 = default;
        Vector512<float> c9 = default;
        Vector512<float> c10 = default;
        Vector512<float> c11 = default;
        if (Sse.IsSupported)
        {
            for (int r = 0; r < MR; r++) Sse.Prefetch0(c + r * ldc);
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c5);
            c6 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c6);
            c7 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c7);
            c8 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), b0, c8);
            c9 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), b0, c9);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), b0, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), b0, c11);
            a += MR;
            b += NR;
        }

        Store(c + 0 * ldc, c0, beta);
        Store(c + 1 * ldc, c1, beta);
        Store(c + 2 * ldc, c2, beta);
        Store(c + 3 * ldc, c3, beta);
        Store(c + 4 * ldc, c4, beta);
        Store(c + 5 * ldc, c5, beta);
        Store(c + 6 * ldc, c6, beta);
        Store(c + 7 * ldc, c7, beta);
        Store(c + 8 * ldc, c8, beta);
        Store(c + 9 * ldc, c9, beta);
        Store(c + 10 * ldc, c10, beta);
        Store(c + 11 * ldc, c11, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector512<float> acc, float beta)
    {
        if (beta == 0f)
            Vector512.Store(acc, c);
        else if (beta == 1f)
            Vector512.Store(Vector512.Load(c) + acc, c);
        else
            Vector512.Store(Vector512.FusedMultiplyAdd(Vector512.Load(c), Vector512.Create(beta), acc), c);
    }
}
