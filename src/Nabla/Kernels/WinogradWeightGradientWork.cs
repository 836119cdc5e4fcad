using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// The slicing shared by the Winograd weight gradients (<see cref="WinogradWeightGradient"/>,
/// <see cref="WinogradF4WeightGradient"/>, <see cref="Winograd5WeightGradient"/>): the batch is cut into chunks of whole
/// images of about <c>targetTiles</c> tiles and the chunks into at most <c>maxSlices</c> contiguous slices, both fixed
/// by the shape alone; each slice sums its chunks in order into its own ∂L/∂U <c>[points, O·C]</c> (its
/// <see cref="Execute"/>), and the slices are added in order, so the result does not depend on the thread count.
/// </summary>
internal abstract class WinogradWeightGradientWork : IParallelWork
{
    public KernelPath Path;
    public ConvGeometry G;
    public int OutC, Batch, Chunk, Chunks, Slices, TilesH, TilesW, XOff, DYOff;
    public float[] X = null!, DY = null!;
    public float[] Partials = [];

    /// <summary>Sums the chunks of slice <paramref name="slice"/> into its part of <see cref="Partials"/>.</summary>
    public abstract void Execute(int slice);

    /// <summary>
    /// Runs the slices over <see cref="WorkerPool"/> for output tiles of <paramref name="tile"/>×<paramref name="tile"/>
    /// and returns ∂L/∂U = Σ_slices, <c>[points, O·C]</c> (a view of <see cref="Partials"/>); <paramref name="batch"/> &gt; 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Span<float> Run(KernelPath path, int tile, int points, int targetTiles, int maxSlices, in ConvGeometry g, int batch,
        int outC, float[] x, int xOff, float[] dy, int dyOff)
    {
        int size = outC * g.Channels;
        int tilesH = (g.OutH + tile - 1) / tile, tilesW = (g.OutW + tile - 1) / tile;
        int chunk = Math.Max(1, targetTiles / (tilesH * tilesW)), chunks = (batch + chunk - 1) / chunk;
        int slices = Math.Min(chunks, maxSlices);
        if (Partials.Length < slices * points * size) Partials = new float[slices * points * size];
        Path = path; G = g; OutC = outC; Batch = batch; Chunk = chunk;
        Chunks = chunks; Slices = slices; TilesH = tilesH; TilesW = tilesW;
        X = x; XOff = xOff; DY = dy; DYOff = dyOff;
        try { WorkerPool.Run(this, slices); }
        finally { X = DY = null!; }
        var total = Partials.AsSpan(0, points * size);
        for (int s = 1; s < slices; s++) Primitives.Add(total, Partials.AsSpan(s * points * size, points * size), total, path);
        return total;
    }
}
