using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Portable micro-kernel: a 4×4 tile of C in 16 scalar accumulators; the reference the vector
/// paths are compared with and the fallback on machines without SIMD.
/// </summary>
internal readonly struct GemmMicroKernelScalar : IGemmMicroKernel
{
    public const int MR = 4;
    public const int NR = 4;

    public static int Rows => MR;

    public static int Cols => NR;

    public static int KC => 256;

    public static int NC => 256;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float beta)
    {
        float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
        float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
        float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
        float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            float a1 = a[1];
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            float a2 = a[2];
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            float a3 = a[3];
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a += MR;
            b += NR;
        }

        Store(c + 0 * ldc, c00, c01, c02, c03, beta);
        Store(c + 1 * ldc, c10, c11, c12, c13, beta);
        Store(c + 2 * ldc, c20, c21, c22, c23, beta);
        Store(c + 3 * ldc, c30, c31, c32, c33, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, float v0, float v1, float v2, float v3, float beta)
    {
        if (beta == 0f)
        {
            c[0] = v0; c[1] = v1; c[2] = v2; c[3] = v3;
        }
        else if (beta == 1f)
        {
            c[0] += v0; c[1] += v1; c[2] += v2; c[3] += v3;
        }
        else
        {
            c[0] = MathF.FusedMultiplyAdd(c[0], beta, v0);
            c[1] = MathF.FusedMultiplyAdd(c[1], beta, v1);
            c[2] = MathF.FusedMultiplyAdd(c[2], beta, v2);
            c[3] = MathF.FusedMultiplyAdd(c[3], beta, v3);
        }
    }
}
