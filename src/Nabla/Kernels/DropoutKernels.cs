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

    /// <summary>
    /// y = relu(x)·m/(1 − p), bit for bit what <see cref="Activations.Relu(ReadOnlySpan{float}, Span{float})"/>
    /// then <see cref="Forward"/> give for the same seed, in one pass over memory instead of two (the
    /// ReLU of a block is taken in place in y while the block is in cache, then masked).
    /// </summary>
    internal static void ReluForward(ReadOnlyMemory<float> x, Memory<float> y, float p, ulong seed) => Run(x, y, p, seed, false, default, relu: true);

    /// <summary>
    /// dx (+)= [x &gt; 0]·g·m/(1 − p), bit for bit <see cref="Backward"/> followed by
    /// <see cref="ActivationGrads.ReluGrad(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/>,
    /// with x the input of the <see cref="ReluForward"/> call that had the same seed.
    /// </summary>
    internal static void ReluBackward(ReadOnlyMemory<float> g, ReadOnlyMemory<float> x, Memory<float> dx, float p, ulong seed, bool accumulate)
    {
        if (x.Length != g.Length) throw new ArgumentException($"dropout: gradient has {g.Length} elements, ReLU input {x.Length}", nameof(x));
        Run(g, dx, p, seed, accumulate, x, relu: true);
    }

    private static void Run(ReadOnlyMemory<float> x, Memory<float> y, float p, ulong seed, bool accumulate,
        ReadOnlyMemory<float> reluInput = default, bool relu = false)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability must be in [0, 1], got {p}");
        if (x.Length != y.Length) throw new ArgumentException($"dropout: input has {x.Length} elements, output {y.Length}", nameof(y));
        if (x.Length == 0) return;
        var work = _work ??= new Work();
        work.X = x; work.Y = y; work.P = p; work.Seed = seed; work.Accumulate = accumulate;
        work.Relu = relu; work.ReluInput = reluInput;
        try { WorkerPool.Run(work, (x.Length + Block - 1) / Block); }
        finally { work.X = default; work.Y = default; work.ReluInput = default; }
    }

    private sealed class Work : IParallelWork
    {
        public ReadOnlyMemory<float> X;
        public Memory<float> Y;
        public float P;
        public ulong Seed;
        public bool Accumulate;
        // ReLU fused in: forward when ReluInput is empty (ReLU of X first), else backward (ReLU's gate from ReluInput last).
        public bool Relu;
        public ReadOnlyMemory<float> ReluInput;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int block)
        {
            int start = block * Block, n = Math.Min(Block, X.Length - start);
            var x = X.Span.Slice(start, n);
            var y = Y.Span.Slice(start, n);
            if (Relu)
            {
                RunRelu(block, start, n, x, y);
                return;
            }
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RunRelu(int block, int start, int n, ReadOnlySpan<float> x, Span<float> y)
        {
            var key = DropoutMask.StreamKey(Seed, block);
            float scale = 1f / (1f - P);
            if (ReluInput.IsEmpty)
            {
                // The same two kernels as the unfused path, on one cached block.
                Activations.Relu(x, y);
                if (P >= 1f) y.Clear();
                else DropoutMask.Apply(key, 0, P, scale, y, y);
                return;
            }
            var t = (_scratch ??= new float[Block]).AsSpan(0, n);
            if (P >= 1f) t.Clear();
            else DropoutMask.Apply(key, 0, P, scale, x, t);
            ActivationGrads.ReluGrad(ReluInput.Span.Slice(start, n), t, y, Accumulate);
        }
    }
}
