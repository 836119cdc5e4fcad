using System.Buffers;
using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Batch normalization over the channel axis 1 of [N, C], [N, C, L] or [N, C, H, W] tensors
/// (PyTorch's <c>F.batch_norm</c>): statistics per channel over every other axis.
/// </summary>
public static class BatchNormOps
{
    extension(Tensor x)
    {
        /// <summary>
        /// y = γ·(x − μ)/√(var + ε) + β per channel. When <paramref name="training"/>, μ and var are
        /// the batch mean and biased variance over N and the spatial axes, and the running buffers are
        /// updated in place: r_μ ← (1 − m)·r_μ + m·μ, r_var ← (1 − m)·r_var + m·var·M/(M − 1) (unbiased,
        /// M values per channel). Otherwise the running statistics are used.
        /// </summary>
        /// <exception cref="ShapeMismatchException">x has rank &lt; 2 or a per-channel tensor is not [C].</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Tensor BatchNormChannels(Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
            bool training, double momentum = 0.1, double eps = 1e-5)
        {
            float mom = (float)momentum, epsilon = (float)eps;
            ArgumentNullException.ThrowIfNull(gamma);
            ArgumentNullException.ThrowIfNull(beta);
            ArgumentNullException.ThrowIfNull(runningMean);
            ArgumentNullException.ThrowIfNull(runningVar);
            if (x.Rank < 2) throw new ShapeMismatchException($"batch_norm: input must be [N, C, ...], got shape {x.Shape}");
            int n = x.Shape[0], c = x.Shape[1], s = x.Numel / Math.Max(1, n * c);
            CheckChannel(gamma, "weight", x, c);
            CheckChannel(beta, "bias", x, c);
            CheckChannel(runningMean, "running_mean", x, c);
            CheckChannel(runningVar, "running_var", x, c);
            long m = (long)n * s;
            if (training && m <= 1)
                throw new ArgumentException($"batch_norm: training needs more than one value per channel, input shape {x.Shape}");
            var xc = x.Contiguous();
            float[] saved = ArrayPool<float>.Shared.Rent(2 * c);
            var mean = saved.AsSpan(0, c);
            var invStd = saved.AsSpan(c, c);
            if (training)
            {
                BatchNormKernels.Statistics(xc.AsSpan(), n, c, s, mean, invStd);
                var rm = runningMean.AsSpan();
                var rv = runningVar.AsSpan();
                float unbias = (float)m / (m - 1);
                for (int ch = 0; ch < c; ch++)
                {
                    rm[ch] = (1 - mom) * rm[ch] + mom * mean[ch];
                    rv[ch] = (1 - mom) * rv[ch] + mom * invStd[ch] * unbias;
                    invStd[ch] = 1f / MathF.Sqrt(invStd[ch] + epsilon);
                }
            }
            else
            {
                runningMean.AsSpan().CopyTo(mean);
                var rv = runningVar.AsSpan();
                for (int ch = 0; ch < c; ch++) invStd[ch] = 1f / MathF.Sqrt(rv[ch] + epsilon);
            }
            var y = Tensor.Scoped(x.Shape);
            BatchNormKernels.Normalize(xc.AsSpan(), n, c, s, mean, invStd, gamma.AsSpan(), beta.AsSpan(), y.AsSpan());
            if (!(GradMode.Records(xc, gamma) || GradMode.Records(beta)))
            {
                ArrayPool<float>.Shared.Return(saved);
                return y;
            }
            var node = BatchNormNode.Rent();
            node.SetInput(0, xc);
            node.SetInput(1, gamma);
            node.SetInput(2, beta);
            node.Saved = saved;
            node.Training = training;
            return GradMode.Attach(node, y);
        }
    }

    private static void CheckChannel(Tensor t, string name, Tensor x, int c)
    {
        if (t.Rank != 1 || t.Shape[0] != c || !t.IsContiguous)
            throw new ShapeMismatchException($"batch_norm: {name} must be a contiguous [{c}] for input {x.Shape}, got shape {t.Shape}");
    }

    private sealed class BatchNormNode : Node<BatchNormNode>
    {
        public float[]? Saved;
        public bool Training;

        public override string Name => "BatchNormBackward";

        protected internal override void Backward(Tensor grad)
        {
            var x = Input(0);
            int n = x.Shape[0], c = x.Shape[1], s = x.Numel / Math.Max(1, n * c);
            bool accX = false, accG = false, accB = false;
            var dx = Needs(0) ? GradFor(0, out accX).AsSpan() : default;
            var dg = Needs(1) ? GradFor(1, out accG).AsSpan() : default;
            var db = Needs(2) ? GradFor(2, out accB).AsSpan() : default;
            BatchNormKernels.Backward(x.AsSpan(), grad.AsSpan(), n, c, s, Saved.AsSpan(0, c), Saved.AsSpan(c, c), Input(1).AsSpan(),
                Training, dx, accX, dg, accG, db, accB);
        }

        protected override void ClearSaved()
        {
            if (Saved is not null) ArrayPool<float>.Shared.Return(Saved);
            Saved = null;
        }
    }
}
