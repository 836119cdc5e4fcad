using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The fused attention kernels against a double-precision formula, including masks, causal
/// attention with fewer queries than keys, strided operands and fully masked rows, and
/// bit-identical results on one and two threads.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class AttentionKernelsTests
{
    [Theory]
    [InlineData(2, 2, 3, 5, 4, 6, false)]
    [InlineData(1, 4, 7, 7, 8, 8, true)]
    [InlineData(3, 1, 2, 9, 3, 5, true)]
    [InlineData(2, 3, 33, 40, 16, 16, false)]
    public void Forward_matches_a_double_precision_reference_with_masks(int batch, int heads, int lq, int lk, int d, int dv, bool causal)
    {
        var rng = new Rng(1);
        // Keys and values sit in wider rows (a cache or a packed projection): row strides exceed H·d.
        int kStride = heads * d + 3, vStride = heads * dv + 5, kBatch = lk * kStride + 7;
        var q = Random(rng, batch * lq * heads * d);
        var k = Random(rng, batch * kBatch);
        var v = Random(rng, batch * lk * vStride);
        var attn = Random(rng, lq * lk);
        var padding = new float[batch * lk];
        for (int i = 0; i < padding.Length; i++) padding[i] = rng.NextFloat() < 0.25f ? 1f : 0f;
        var g = new AttentionGeometry(batch, heads, lq, lk, d, dv, 0.6f, causal);
        var qo = new AttentionOperand(q, 0, lq * heads * d, heads * d);
        var ko = new AttentionOperand(k, 0, kBatch, kStride);
        var vo = new AttentionOperand(v, 0, lk * vStride, vStride);
        var masks = new AttentionMasks(attn, 0, false, false, padding, 0, true);
        var output = new float[batch * lq * heads * dv];
        var probs = new float[g.Pieces * g.ScoreSize];
        AttentionKernels.Forward(g, qo, ko, vo, masks, 0f, 0, probs, null, output, 0);
        var expected = Reference(g, qo, ko, vo, attn, padding);
        for (int i = 0; i < output.Length; i++) Assert.Equal(expected[i], output[i], 1e-5);
    }

    [Fact]
    public void Rows_with_every_key_hidden_get_zero_probabilities()
    {
        var g = new AttentionGeometry(1, 1, 2, 3, 2, 2, 1f, false);
        var q = new float[] { 1, 2, 3, 4 };
        var kv = new float[] { 1, 0, 0, 1, 1, 1 };
        var mask = new float[] { float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity, 0, 0, 0 };
        var probs = new float[6];
        var output = new float[4];
        AttentionKernels.Forward(g, new(q, 0, 4, 2), new(kv, 0, 6, 2), new(kv, 0, 6, 2), new AttentionMasks(mask, 0, false, false, null, 0, true),
            0f, 0, probs, null, output, 0);
        Assert.Equal([0f, 0f, 0f], probs[..3]);
        Assert.Equal(1.0, probs[3..].Sum(), 6);
        Assert.Equal([0f, 0f], output[..2]);
        Assert.DoesNotContain(output, float.IsNaN);
    }

    [Fact]
    public void Dropout_keeps_about_one_minus_p_of_the_weights_scaled_and_is_reproducible_from_its_seed()
    {
        var rng = new Rng(2);
        var g = new AttentionGeometry(2, 2, 32, 32, 4, 4, 0.5f, false);
        var q = Random(rng, 2 * 32 * 8);
        var op = new AttentionOperand(q, 0, 32 * 8, 8);
        var weights = new float[g.Pieces * g.ScoreSize];
        var probs = new float[weights.Length];
        var again = new float[weights.Length];
        var output = new float[2 * 32 * 8];
        AttentionKernels.Forward(g, op, op, op, AttentionMasks.None, 0.25f, 42, probs, weights, output, 0);
        AttentionKernels.Forward(g, op, op, op, AttentionMasks.None, 0.25f, 42, null, again, output, 0);
        Assert.Equal(weights, again);
        int dropped = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            if (weights[i] == 0f) dropped++;
            else Assert.Equal(probs[i] / 0.75f, weights[i], 1e-6 * weights[i]);
        }
        Assert.InRange(dropped / (double)weights.Length, 0.23, 0.27);
    }

    [Fact]
    public void One_and_two_threads_give_identical_bits()
    {
        var rng = new Rng(3);
        var g = new AttentionGeometry(4, 4, 24, 24, 8, 8, 0.35f, true);
        int width = 32;
        var x = Random(rng, 4 * 24 * width);
        var gradOut = Random(rng, x.Length);
        var op = new AttentionOperand(x, 0, 24 * width, width);
        float[] Run(int threads, out float[] dq, out float[] dk, out float[] dv)
        {
            int saved = WorkerPool.MaxThreads;
            try
            {
                WorkerPool.MaxThreads = threads;
                var probs = new float[g.Pieces * g.ScoreSize];
                var output = new float[x.Length];
                AttentionKernels.Forward(g, op, op, op, AttentionMasks.None, 0.1f, 7, probs, null, output, 0);
                dq = new float[x.Length]; dk = new float[x.Length]; dv = new float[x.Length];
                AttentionKernels.Backward(g, op, op, op, 0.1f, 7, probs, gradOut, 0, dq, 0, false, dk, 0, false, dv, 0, false);
                return output;
            }
            finally { WorkerPool.MaxThreads = saved; }
        }
        var one = Run(1, out var dq1, out var dk1, out var dv1);
        var two = Run(2, out var dq2, out var dk2, out var dv2);
        Assert.Equal(one, two);
        Assert.Equal(dq1, dq2);
        Assert.Equal(dk1, dk2);
        Assert.Equal(dv1, dv2);
    }

    internal static float[] Random(Rng rng, int n)
    {
        var a = new float[n];
        rng.FillNormal(a);
        return a;
    }

    private static double[] Reference(in AttentionGeometry g, in AttentionOperand q, in AttentionOperand k, in AttentionOperand v, float[] attn, float[] padding)
    {
        int lq = g.QueryLength, lk = g.KeyLength, d = g.HeadDim, dv = g.ValueHeadDim, h = g.Heads;
        var result = new double[g.Batch * lq * h * dv];
        for (int b = 0; b < g.Batch; b++)
            for (int head = 0; head < h; head++)
                for (int i = 0; i < lq; i++)
                {
                    var s = new double[lk];
                    for (int j = 0; j < lk; j++)
                    {
                        double dot = 0;
                        for (int c = 0; c < d; c++)
                            dot += (double)q.Data[b * q.BatchStride + i * q.RowStride + head * d + c] * k.Data[b * k.BatchStride + j * k.RowStride + head * d + c];
                        bool hidden = padding[b * lk + j] != 0 || (g.Causal && j > lk - lq + i);
                        s[j] = hidden ? double.NegativeInfinity : dot * g.Scale + attn[i * lk + j];
                    }
                    double m = s.Max();
                    if (double.IsNegativeInfinity(m)) continue;
                    var p = s.Select(x => Math.Exp(x - m)).ToArray();
                    double sum = p.Sum();
                    for (int c = 0; c < dv; c++)
                    {
                        double o = 0;
                        for (int j = 0; j < lk; j++) o += p[j] / sum * v.Data[b * v.BatchStride + j * v.RowStride + head * dv + c];
                        result[(b * lq + i) * h * dv + head * dv + c] = o;
                    }
                }
        return result;
    }
}
