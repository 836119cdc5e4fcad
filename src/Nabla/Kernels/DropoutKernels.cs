using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Inverted dropout without a stored mask: y = x·m/(1 − p), m ∈ {0, 1} drawn by <see cref="DropoutMask"/>
/// from a seed, so backward (dx = g·m/(1 − p)) regenerates the same m. The data is cut into blocks
/// of <see cref="Block"/> elements, one mask stream per block, spread over <see cref="WorkerPool"/>
/// threads: the mask depends on the seed and the element's position only, never on the thread count.
/// </summary>
public static class DropoutKernels
{
    /// <summary>Elements per block (one mask stream and one parallel piece each).</summary>
    internal const int Block = 1 << 15;

    [ThreadStatic] private static Work? _work;
    [ThreadStatic] private static float[]? _scratch;

    /// <summary>y = x·m/(1 − p) (all zeros when p = 1); x and y may be the same memory.</summary>
    public static void Forward(ReadOnlyMemory<float> x, Memory<float> y, float p, ulong seed) => Run(x, y, p, seed, false);

    /// <summary>dx (+)= g·m/(1 − p) with the mask of the <see cref="Forward"/> call that had the same seed.</summary>
    public static void Backward(ReadOnlyMemory<float> g, Memory<float> dx, float p, ulong seed, bool accumulate) => Run(g, dx, p, seed, accumulate);

    private static void Run(ReadOnlyMemory<float> x, Memory<float> y, float p, ulong seed, bool accumulate)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability must be in [0, 1], got {p}");
        if (x.Length != y.Length) throw new ArgumentException($"dropout: input has {x.Length} elements, output {y.Length}", nameof(y));
        if (x.Length == 0) return;
        var work = _work ??= new Work();
        work.X = x; work.Y = y; work.P = p; work.Seed = seed; work.Accumulate = accumulate;
        try { WorkerPool.Run(work, (x.Length + Block - 1) / Block); }
        finally { work.X = default; work.Y = default; }
    }

    private sealed class Work : IParallelWork
    {
        public ReadOnlyMemory<float> X;
        public Memory<float> Y;
        public float P;
        public ulong Seed;
        public bool Accumulate;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int block)
        {
            int start = block * Block, n = Math.Min(Block, X.Length - start);
            var x = X.Span.Slice(start, n);
            var y = Y.Span.Slice(start, n);
            if (P >= 1f)
            {
                if (!Accumulate) y.Clear();
                return;
            }
            var key = DropoutMask.StreamKey(Seed, block);
            float scale = 1f / (1f - P);
            if (!Accumulate)
            {
                DropoutMask.Apply(key, 0, P, scale, x, y);
                return;
            }
            var s = _scratch ??= new float[Block];
            var t = s.AsSpan(0, n);
            DropoutMask.Apply(key, 0, P, scale, x, t);
            Primitives.Add(y, t, y);
        }
    }
}
