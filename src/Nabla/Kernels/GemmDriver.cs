using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// A register-tiled micro-kernel: <c>C[0..MR, 0..NR] = beta·C + Apanel·Bpanel</c> for one full tile.
/// Implemented by structs so <see cref="GemmDriver{TKernel}"/> is specialised per kernel by the JIT
/// (constants folded, calls direct) with no delegate or virtual call in the loops.
/// </summary>
internal interface IGemmMicroKernel
{
    /// <summary>Rows of the register tile (broadcast from packed A).</summary>
    static abstract int Rows { get; }

    /// <summary>Columns of the register tile (vector loads from packed B).</summary>
    static abstract int Cols { get; }

    /// <summary>Depth of a k block: an A micro-panel (Rows·KC) stays in L1 across a sweep of B.</summary>
    static abstract int KC { get; }

    /// <summary>Columns of a packed B block: KC·NC floats are sized to live in L2.</summary>
    static abstract int NC { get; }

    /// <summary>
    /// Multiplies packed panels <paramref name="a"/> (kc × Rows, row of Rows per k) and
    /// <paramref name="b"/> (kc × Cols) and writes the tile at <paramref name="c"/>: beta = 0 stores,
    /// beta = 1 adds, otherwise <c>fma(c, beta, acc)</c>.
    /// </summary>
    static abstract unsafe void Run(int kc, float* a, float* b, float* c, nint ldc, float beta);

    /// <summary>
    /// Whether the driver may skip packing a full Rows-row panel of op(A) (row i at <c>a + i·rsA + p·csA</c>)
    /// and call <see cref="RunRowsA"/> on it where it lies. Only kernels whose in-place read gives the
    /// same bits as <see cref="Run"/> on the packed panel say yes.
    /// </summary>
    static virtual bool ReadsRowsA(nint rsA, nint csA, float alpha) => false;

    /// <summary>
    /// <see cref="Run"/> with A read in place: row r of the tile at <c>a + r·lda</c>, unit stride in k.
    /// Called only when <see cref="ReadsRowsA"/> said yes.
    /// </summary>
    static virtual unsafe void RunRowsA(int kc, float* a, nint lda, float* b, float* c, nint ldc, float beta) =>
        throw new System.Diagnostics.UnreachableException("RunRowsA called on a kernel whose ReadsRowsA is false");
}

/// <summary>BLIS-style blocked loops around a micro-kernel, for one thread and one block of C.</summary>
internal static unsafe class GemmDriver<TKernel> where TKernel : struct, IGemmMicroKernel
{
    /// <summary>
    /// <c>C = alpha·op(A)·op(B) + beta·C</c> with op(A)[i,p] at <c>a + i·rsA + p·csA</c> and
    /// op(B)[p,j] at <c>b + p·rsB + j·csB</c>; one of each stride pair is 1. Requires k ≥ 1.
    /// With <paramref name="bias"/> (beta must be 0) every row of C gets <c>bias[j]</c> added as it is
    /// first written: <c>C = alpha·op(A)·op(B) + 1·biasᵀ</c>. With <paramref name="rowSums"/> (alpha must be
    /// 1) the row sums of op(A) are written (or, with <paramref name="accumulateRowSums"/>, added) there as
    /// op(A) is packed. With <paramref name="packedB"/> op(B) is not read: its panels are taken from there, already
    /// packed (<see cref="Gemm.SgemmPackedB"/>: panel J of k rows × Cols at <c>packedB + J·k·Cols</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int m, int n, int k, float alpha,
        float* a, nint rsA, nint csA, float* b, nint rsB, nint csB, float beta, float* c, nint ldc, float* bias = null,
        float* rowSums = null, bool accumulateRowSums = false, float* packedB = null)
    {
        int mr = TKernel.Rows, nr = TKernel.Cols, kcMax = TKernel.KC, ncMax = TKernel.NC;
        float* packA = GemmBuffers.PackA(mr * kcMax);
        float* packB = GemmBuffers.PackB(kcMax * ncMax);
        float* edge = GemmBuffers.EdgeTile(mr * nr);

        // Equal k blocks (784 → 4×196, not 3×256 + 16) so no block is too thin to pay for its
        // packing and C traffic. Depends on k only, so every block of C sums in the same order.
        int kBlocks = (k + kcMax - 1) / kcMax;
        int kcStep = (k + kBlocks - 1) / kBlocks;

        // Full panels of op(A) the kernel can read in place (RunRowsA, same bits) are not transposed into
        // packA; the row sums need the packed panel.
        bool rowsA = rowSums == null && TKernel.ReadsRowsA(rsA, csA, alpha);

        for (int jc = 0; jc < n; jc += ncMax)
        {
            int nc = Math.Min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kcStep)
            {
                int kc = Math.Min(kcStep, k - pc);
                // Later k blocks add onto what the first one wrote.
                float betaBlock = pc == 0 ? beta : 1f;

                for (int jr = 0; packedB == null && jr < nc; jr += nr)
                    GemmPacking.PackB<TKernel>(b + pc * rsB + (jc + jr) * csB, rsB, csB,
                        Math.Min(nr, nc - jr), kc, packB + jr * kc);

                for (int ir = 0; ir < m; ir += mr)
                {
                    int rows = Math.Min(mr, m - ir);
                    float* aPanel = a + ir * rsA + pc * csA;
                    bool inPlace = rowsA && rows == mr;
                    if (!inPlace)
                        GemmPacking.PackA<TKernel>(aPanel, rsA, csA, rows, kc, alpha, packA);
                    if (rowSums != null && jc == 0)
                        GemmPacking.SumPackedRows(packA, mr, rows, kc, rowSums + ir, pc == 0 && !accumulateRowSums);
                    float* cRow = c + ir * ldc + jc;
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        float* bPanel = packedB == null ? packB + jr * kc : packedB + (nint)((jc + jr) / nr) * k * nr + pc * nr;
                        float* tileBias = pc == 0 && bias != null ? bias + jc + jr : null;
                        if (rows == mr && cols == nr && tileBias == null)
                        {
                            if (inPlace) TKernel.RunRowsA(kc, aPanel, rsA, bPanel, cRow + jr, ldc, betaBlock);
                            else TKernel.Run(kc, packA, bPanel, cRow + jr, ldc, betaBlock);
                        }
                        else
                        {
                            // Padded panels let the vector kernel compute the whole tile; only the
                            // valid corner is merged into C. A bias is added on the way, while the
                            // tile is in L1, instead of being written into C beforehand and read back.
                            if (inPlace) TKernel.RunRowsA(kc, aPanel, rsA, bPanel, edge, nr, 0f);
                            else TKernel.Run(kc, packA, bPanel, edge, nr, 0f);
                            MergeEdge(edge, nr, rows, cols, cRow + jr, ldc, betaBlock, tileBias);
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeEdge(float* tile, int tileStride, int rows, int cols, float* c, nint ldc, float beta, float* bias)
    {
        if (bias != null)
        {
            // beta = 0: acc + bias, the same sum (addition commutes) as a kernel adding acc onto
            // C pre-filled with the bias, so the bits equal those of the fill-then-accumulate way.
            for (int i = 0; i < rows; i++)
            {
                float* src = tile + i * tileStride;
                float* dst = c + i * ldc;
                int j = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; j + 8 <= cols; j += 8)
                        Vector256.Store(Vector256.Load(src + j) + Vector256.Load(bias + j), dst + j);
                for (; j < cols; j++) dst[j] = src[j] + bias[j];
            }
            return;
        }
        for (int i = 0; i < rows; i++)
        {
            float* src = tile + i * tileStride;
            float* dst = c + i * ldc;
            // Same operations as the kernels' full-tile store, so a value's bits do not depend
            // on whether it landed in an edge tile.
            int j = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var vb = Vector256.Create(beta);
                for (; j + 8 <= cols; j += 8)
                {
                    var acc = Vector256.Load(src + j);
                    Vector256.Store(
                        beta == 0f ? acc
                        : beta == 1f ? Vector256.Load(dst + j) + acc
                        : Vector256.FusedMultiplyAdd(Vector256.Load(dst + j), vb, acc), dst + j);
                }
            }
            if (beta == 0f)
                for (; j < cols; j++) dst[j] = src[j];
            else if (beta == 1f)
                for (; j < cols; j++) dst[j] += src[j];
            else
                for (; j < cols; j++) dst[j] = MathF.FusedMultiplyAdd(dst[j], beta, src[j]);
        }
    }
}

/// <summary>Per-thread packing buffers: allocated on first use, grown if needed, then reused forever.</summary>
internal static unsafe class GemmBuffers
{
    private const int AlignFloats = 16; // 64 bytes: a cache line and a zmm register

    [ThreadStatic] private static float[]? _packA;
    [ThreadStatic] private static float[]? _packB;
    [ThreadStatic] private static float[]? _edge;

    public static float* PackA(int floats) => Get(ref _packA, floats);

    public static float* PackB(int floats) => Get(ref _packB, floats);

    public static float* EdgeTile(int floats) => Get(ref _edge, floats);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float* Get(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats + AlignFloats)
            buffer = GC.AllocateUninitializedArray<float>(floats + AlignFloats, pinned: true);
        // Pinned-heap arrays never move, so the pointer stays valid after this method returns.
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((p + 63) & ~(nint)63);
    }
}
