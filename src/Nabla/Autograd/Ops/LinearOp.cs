using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// The affine map of a dense layer as one primitive, PyTorch's <c>F.linear</c>: y = x·Wᵀ + b.
/// Composing <c>x.MatMul(w.T()) + b</c> costs a GEMM, a broadcast pass that writes a second
/// [N, out] tensor, and on the way back a copy of the gradient; here the GEMM adds the bias to each
/// tile of y as it writes it (<see cref="Gemm.LinearForward"/>), and backward is two GEMMs and a column sum.
/// </summary>
public static class LinearOp
{
    extension(Tensor x)
    {
        /// <summary>
        /// y = x·Wᵀ + b for x <c>[N, in]</c>, W <c>[out, in]</c>, b <c>[out]</c> (or none) → y <c>[N, out]</c>.
        /// Gradients: ∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ_rows G.
        /// </summary>
        /// <exception cref="ShapeMismatchException">The shapes do not fit; names all of them.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor Linear(Tensor weight, Tensor? bias)
        {
            ArgumentNullException.ThrowIfNull(weight);
            if (x.Rank != 2 || weight.Rank != 2 || x.Shape[1] != weight.Shape[1]
                || (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0])))
                throw new ShapeMismatchException($"linear: input {x.Shape}, weight {weight.Shape} and bias {bias?.Shape.ToString() ?? "none"} do not fit ([N, in], [out, in], [out])");
            var xc = x.IsContiguous ? x : x.Contiguous();
            var wc = weight.IsContiguous ? weight : weight.Contiguous();
            var bc = bias is null || bias.IsContiguous ? bias : bias.Contiguous();
            int m = xc.Shape[0], k = xc.Shape[1], n = wc.Shape[0];
            bool records = GradMode.Records(xc, wc) || (bc is not null && GradMode.Records(bc));
            var y = Tensor.Scoped(new Shape(m, n));
            var ys = y.AsSpan();
            if (bc is not null && FusedBias)
            {
                Gemm.LinearForward(m, n, k, xc.ReadOnlyData, wc.ReadOnlyData, bc.ReadOnlyData, ys);
            }
            else
            {
                if (bc is not null)
                    for (int r = 0; r < m; r++) bc.ReadOnlyData.CopyTo(ys.Slice(r * n, n));
                Gemm.Sgemm(false, true, m, n, k, 1f, xc.ReadOnlyData, k, wc.ReadOnlyData, k, bc is null ? 0f : 1f, ys, n);
            }
            if (!records) return y;
            var node = LinearNode.Rent();
            node.SetInput(0, xc);
            node.SetInput(1, wc);
            if (bc is not null) node.SetInput(2, bc);
            return GradMode.Attach(node, y);
        }
    }

    /// <summary>
    /// False fills y with the bias before the forward product and sums the bias gradient in a pass of its own,
    /// as before both were folded into the GEMM: Nabla.Bench encoder-profile flips it to compare both in one
    /// process. Bitwise the same results.
    /// </summary>
    internal static bool FusedBias = true;

    private sealed unsafe class LinearNode : Node<LinearNode>
    {
        public override string Name => "LinearBackward";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected internal override void Backward(Tensor grad)
        {
            var x = Input(0);
            var w = Input(1);
            int m = x.Shape[0], k = x.Shape[1], n = w.Shape[0];
            bool needX = Needs(0), needW = Needs(1), needB = InputCount > 2 && Needs(2);
            bool accX = false, accW = false, accB = false;
            // Gradient buffers come from the calling thread's scope, so they are taken here, before any piece runs.
            var dx = needX ? GradFor(0, out accX).AsSpan() : default;
            var dw = needW ? GradFor(1, out accW).AsSpan() : default;
            var db = needB ? GradFor(2, out accB).AsSpan() : default;
            // Both products too small to be split themselves (a 10-class output layer: 128×10×128) run side by
            // side, one per thread, with the bias sum as a third piece.
            bool sideBySide = RangeSplit.Enabled && needX && needW && (long)m * n * k < Gemm.ParallelThreshold && WorkerPool.MaxThreads > 1 && !WorkerPool.InsideWork;
            fixed (float* pg = grad.AsSpan(), px = x.AsSpan(), pw = w.AsSpan(), pdx = dx, pdw = dw, pdb = db)
            {
                // A layer applied to its own weight (x is w) has one gradient buffer for both: then serially.
                sideBySide &= pdx != pdw && pdx != pdb && pdw != pdb;
                var pieces = LinearBackwardPieces.Get(pg, px, pw, pdx, accX, pdw, accW, pdb, accB, m, k, n, sideBySide);
                try
                {
                    if (sideBySide)
                    {
                        WorkerPool.Run(pieces, 3);
                    }
                    else
                    {
                        pieces.Execute(0);
                        pieces.Execute(1);
                        pieces.Execute(2);
                    }
                }
                finally
                {
                    pieces.Release();
                }
            }
        }
    }

    /// <summary>
    /// The three parts of a linear layer's backward (∂L/∂x = G·W, ∂L/∂W = Gᵀ·x, ∂L/∂b = Σ_rows G) as
    /// pieces of one <see cref="WorkerPool"/> job. Each piece writes its own gradient with the same
    /// kernel call as the serial path, so running them side by side changes no bit. One cached object
    /// per calling thread holds pointers to the operands for the duration of one backward.
    /// </summary>
    private sealed unsafe class LinearBackwardPieces : IParallelWork
    {
        [ThreadStatic] private static LinearBackwardPieces? _cached;

        private float* _g, _x, _w, _dx, _dw, _db;
        private bool _accX, _accW, _accB, _fuseBias;
        private int _m, _k, _n;

        // Set from fixed pointers for the duration of one backward (the caller pins the buffers around the job).
        public static LinearBackwardPieces Get(float* g, float* x, float* w, float* dx, bool accX, float* dw, bool accW,
            float* db, bool accB, int m, int k, int n, bool sideBySide)
        {
            var p = _cached ??= new LinearBackwardPieces();
            p._g = g;
            p._x = x;
            p._w = w;
            p._dx = dx;
            p._dw = dw;
            p._db = db;
            // Side by side, the bias sum is a third piece running beside the two products.
            (p._accX, p._accW, p._accB, p._m, p._k, p._n, p._fuseBias) = (accX, accW, accB, m, k, n, FusedBias && !sideBySide);
            return p;
        }

        public void Release() => _g = _x = _w = _dx = _dw = _db = null;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index)
        {
            int m = _m, k = _k, n = _n;
            var g = new ReadOnlySpan<float>(_g, m * n);
            switch (index)
            {
                case 0 when _dx != null:
                    Gemm.Sgemm(false, false, m, k, n, 1f, g, n, new ReadOnlySpan<float>(_w, n * k), k, _accX ? 1f : 0f, new Span<float>(_dx, m * k), k);
                    break;
                case 1 when _dw != null && _db != null && _fuseBias:
                    // Large products: db comes out of the packing of Gᵀ for dW, with no separate pass over G.
                    Gemm.WeightAndBiasGradient(m, n, k, g, new ReadOnlySpan<float>(_x, m * k), _accW ? 1f : 0f,
                        new Span<float>(_dw, n * k), new Span<float>(_db, n), _accB);
                    break;
                case 1 when _dw != null:
                    Gemm.Sgemm(true, false, n, k, m, 1f, g, n, new ReadOnlySpan<float>(_x, m * k), k, _accW ? 1f : 0f, new Span<float>(_dw, n * k), k);
                    break;
                case 2 when _db != null && !(_dw != null && _fuseBias):
                    var db = new Span<float>(_db, n);
                    if (!_accB) db.Clear();
                    for (int r = 0; r < m; r++) Primitives.Add(db, g.Slice(r * n, n), db);
                    break;
            }
        }
    }
}
