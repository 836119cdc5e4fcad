using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>The instruction width a hand-written kernel runs with, elementwise maps and GEMM alike.</summary>
/// <remarks>
/// Public entry points always use <see cref="KernelPaths.Best"/>; the internal overloads that take a
/// path exist so tests can run every implementation on any machine (a Vector512 path still runs,
/// emulated, where AVX-512 is missing).
/// </remarks>
internal enum KernelPath
{
    /// <summary>One element at a time (GEMM: portable scalar code on a 4×4 register tile).</summary>
    Scalar = 0,

    /// <summary>8 floats per step, then the scalar tail (GEMM: FMA on a 6×16 register tile, AVX2 machines).</summary>
    Vector256 = 1,

    /// <summary>
    /// 16 floats per step, then at most one 8-wide step, then the scalar tail (GEMM: FMA on a 12×32
    /// register tile, AVX-512 machines).
    /// </summary>
    Vector512 = 2,
}

/// <summary>Chooses the widest accelerated <see cref="KernelPath"/> once per process.</summary>
internal static class KernelPaths
{
    /// <summary>The widest path the hardware accelerates.</summary>
    public static readonly KernelPath Best =
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : KernelPath.Scalar;

    /// <summary>Every path, for tests that run all of them.</summary>
    public static readonly KernelPath[] All = [KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512];
}
