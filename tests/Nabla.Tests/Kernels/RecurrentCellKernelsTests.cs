using System.Runtime.Intrinsics;
using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The fused recurrent cell kernels on every <see cref="KernelPath"/> and hidden sizes around the
/// vector widths, against the cell equations in double: strided rows, a row past its length (state
/// carried, output and gate gradients zero) and the state-gradient hand-off the caller's GEMM relies on.
/// Backward is checked on the activations forward saved (as float32, which is what it reads): a
/// derivative like 1 − g² of a saturated gate is only as accurate as the stored g.
/// </summary>
public class RecurrentCellKernelsTests
{
    public static IEnumerable<object[]> AllPaths => Paths();

    private static readonly int[] HiddenSizes = [1, 5, 8, 13, 16, 21, 37];
    private const int Rows = 3, Step = 2;
    // Row 1 ends before this step (length 2 ≤ step 2); rows 0 and 2 are active.
    private static readonly int[] Lengths = [4, 2, 3];

    private static double Sig(double v) => 1 / (1 + Math.Exp(-v));

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Gate_math_matches_double_sigmoid_and_tanh_and_keeps_tanh_relative_near_zero(KernelPath path)
    {
        float[] xs = [0f, -0f, 1e-30f, -3e-8f, 1e-4f, -0.01f, 0.3f, -0.7f, 1f, 2.5f, -6f, 9f, 20f, -45f, 100f, -1e30f, float.NaN];
        foreach (float x in xs)
        {
            float s = Apply(path, x, sigmoid: true), t = Apply(path, x, sigmoid: false);
            if (float.IsNaN(x))
            {
                Assert.True(float.IsNaN(s) && float.IsNaN(t), $"{path}: NaN must stay NaN");
                continue;
            }
            Assert.True(Math.Abs(s - Sig(x)) <= 3e-7 * Sig(x) + 1e-45, $"{path} sigmoid({x}) = {s}, expected {Sig(x)}");
            Assert.True(Math.Abs(t - Math.Tanh(x)) <= 3e-7 * Math.Abs(Math.Tanh(x)) + 1e-45, $"{path} tanh({x}) = {t}, expected {Math.Tanh(x)}");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Gate_exp_is_within_two_ulp_over_its_range_and_saturates(KernelPath path)
    {
        for (double v = -87; v <= 88; v += 0.0137)
        {
            float x = (float)v;
            float e = path switch
            {
                KernelPath.Vector512 => GateMath.Exp(Vector512.Create(x)).GetElement(3),
                KernelPath.Vector256 => GateMath.Exp(Vector256.Create(x)).GetElement(3),
                _ => GateMath.Exp(x),
            };
            Assert.True(Math.Abs(e - Math.Exp(x)) <= 2.5e-7 * Math.Exp(x), $"{path} exp({x}) = {e}, expected {Math.Exp(x)}");
        }
        Assert.Equal(float.PositiveInfinity, GateMath.Exp(1000f));
        Assert.True(GateMath.Exp(-1000f) is > 0f and < 1.2e-38f);
    }

    private static float Apply(KernelPath path, float x, bool sigmoid) => path switch
    {
        KernelPath.Vector512 => (sigmoid ? GateMath.Sigmoid(Vector512.Create(x)) : GateMath.Tanh(Vector512.Create(x))).GetElement(15),
        KernelPath.Vector256 => (sigmoid ? GateMath.Sigmoid(Vector256.Create(x)) : GateMath.Tanh(Vector256.Create(x))).GetElement(7),
        _ => sigmoid ? GateMath.Sigmoid(x) : GateMath.Tanh(x),
    };

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Lstm_forward_and_backward_match_the_cell_equations(KernelPath path)
    {
        foreach (int h in HiddenSizes)
        {
            int gs = 4 * h + 3, ss = h + 2, os = 2 * h + 1;
            var pre = Uniform(Rows * gs, h, -3f, 3f);
            var hp = Uniform(Rows * ss, h + 1);
            var cp = Uniform(Rows * ss, h + 2, -2f, 2f);
            var bias = Uniform(4 * h, h + 9, -1f, 1f);
            var gates = (float[])pre.Clone();
            var hn = new float[Rows * ss];
            var cn = new float[Rows * ss];
            var y = Uniform(Rows * os, h + 3);
            LstmCell.Forward(Rows, h, Step, Lengths, gates, gs, bias, hp, ss, cp, ss, hn, ss, cn, ss, y, os, path);

            var dy = Uniform(Rows * os, h + 4, -1f, 1f);
            var dh = Uniform(Rows * h, h + 5, -1f, 1f);
            var dc = Uniform(Rows * h, h + 6, -1f, 1f);
            var dhIn = (float[])dh.Clone();
            var dcIn = (float[])dc.Clone();
            var grads = new float[Rows * gs];
            LstmCell.Backward(Rows, h, Step, Lengths, gates, gs, grads, gs, cp, ss, cn, ss, dy, os, dh, dc, path);

            for (int r = 0; r < Rows; r++)
                for (int j = 0; j < h; j++)
                {
                    string at = $"LSTM {path} H={h} row {r} j={j}";
                    if (r == 1)
                    {
                        Assert.Equal(hp[r * ss + j], hn[r * ss + j]);
                        Assert.Equal(cp[r * ss + j], cn[r * ss + j]);
                        Assert.Equal(0f, y[r * os + j]);
                        for (int q = 0; q < 4; q++) Assert.Equal(0f, grads[r * gs + q * h + j]);
                        Assert.Equal(dhIn[r * h + j], dh[r * h + j]);
                        Assert.Equal(dcIn[r * h + j], dc[r * h + j]);
                        continue;
                    }
                    double A(int q) => (double)pre[r * gs + q * h + j] + bias[q * h + j];
                    double i = Sig(A(0)), f = Sig(A(1)), g = Math.Tanh(A(2)), o = Sig(A(3));
                    double c = f * cp[r * ss + j] + i * g, tau = Math.Tanh(c), hv = o * tau;
                    Near(c, cn[r * ss + j], at + " c'");
                    Near(hv, hn[r * ss + j], at + " h'");
                    Near(hv, y[r * os + j], at + " output");
                    (i, f, g, o) = (gates[r * gs + j], gates[r * gs + h + j], gates[r * gs + 2 * h + j], gates[r * gs + 3 * h + j]);
                    Near(Sig(A(0)), (float)i, at + " saved i");
                    tau = Math.Tanh(cn[r * ss + j]);
                    double dhv = dhIn[r * h + j] + dy[r * os + j];
                    double dcv = dcIn[r * h + j] + dhv * o * (1 - tau * tau);
                    Near(dcv * g * i * (1 - i), grads[r * gs + j], at + " ∂a_i");
                    Near(dcv * cp[r * ss + j] * f * (1 - f), grads[r * gs + h + j], at + " ∂a_f");
                    Near(dcv * i * (1 - g * g), grads[r * gs + 2 * h + j], at + " ∂a_g");
                    Near(dhv * tau * o * (1 - o), grads[r * gs + 3 * h + j], at + " ∂a_o");
                    Near(dcv * f, dc[r * h + j], at + " ∂c");
                    Assert.Equal(0f, dh[r * h + j]);
                }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Gru_forward_and_backward_match_the_cell_equations(KernelPath path)
    {
        foreach (int h in HiddenSizes)
        {
            int gs = 3 * h + 1, rs = 3 * h + 2, ss = h + 3, os = h + 1;
            var pre = Uniform(Rows * gs, h, -3f, 3f);
            var rec = Uniform(Rows * rs, h + 1, -3f, 3f);
            var b = Uniform(3 * h, h + 2, -1f, 1f);
            var bx = Uniform(3 * h, h + 8, -1f, 1f);
            var hp = Uniform(Rows * ss, h + 3, -1f, 1f);
            var gates = (float[])pre.Clone();
            var nh = new float[Rows * ss];
            var hn = new float[Rows * ss];
            var y = Uniform(Rows * os, h + 4);
            GruCell.Forward(Rows, h, Step, Lengths, gates, gs, bx, rec, rs, b, hp, ss, nh, ss, hn, ss, y, os, path);

            var dy = Uniform(Rows * os, h + 5, -1f, 1f);
            var dh = Uniform(Rows * h, h + 6, -1f, 1f);
            var dhIn = (float[])dh.Clone();
            var gx = new float[Rows * gs];
            var gh = Uniform(Rows * gs, h + 7);
            GruCell.Backward(Rows, h, Step, Lengths, gates, gs, gx, gs, nh, ss, hp, ss, dy, os, dh, gh, gs, path);

            for (int r = 0; r < Rows; r++)
                for (int j = 0; j < h; j++)
                {
                    string at = $"GRU {path} H={h} row {r} j={j}";
                    if (r == 1)
                    {
                        Assert.Equal(hp[r * ss + j], hn[r * ss + j]);
                        Assert.Equal(0f, y[r * os + j]);
                        for (int q = 0; q < 3; q++) Assert.Equal(0f, gx[r * gs + q * h + j]);
                        for (int q = 0; q < 3; q++) Assert.Equal(0f, gh[r * gs + q * h + j]);
                        Assert.Equal(dhIn[r * h + j], dh[r * h + j]);
                        continue;
                    }
                    double X(int q) => (double)pre[r * gs + q * h + j] + bx[q * h + j];
                    double rg = Sig(X(0) + (rec[r * rs + j] + b[j]));
                    double z = Sig(X(1) + (rec[r * rs + h + j] + b[h + j]));
                    double nhv = rec[r * rs + 2 * h + j] + b[2 * h + j];
                    double n = Math.Tanh(X(2) + rg * nhv);
                    double hv = (1 - z) * n + z * hp[r * ss + j];
                    Near(nhv, nh[r * ss + j], at + " h_n");
                    Near(hv, hn[r * ss + j], at + " h'");
                    Near(hv, y[r * os + j], at + " output");
                    (rg, z, n, nhv) = (gates[r * gs + j], gates[r * gs + h + j], gates[r * gs + 2 * h + j], nh[r * ss + j]);
                    double d = dhIn[r * h + j] + dy[r * os + j];
                    double dxn = d * (1 - z) * (1 - n * n);
                    double dr = dxn * nhv * rg * (1 - rg), dz = d * (hp[r * ss + j] - n) * z * (1 - z);
                    Near(dr, gx[r * gs + j], at + " ∂x_r");
                    Near(dz, gx[r * gs + h + j], at + " ∂x_z");
                    Near(dxn, gx[r * gs + 2 * h + j], at + " ∂x_n");
                    Near(dr, gh[r * gs + j], at + " ∂h_r");
                    Near(dz, gh[r * gs + h + j], at + " ∂h_z");
                    Near(dxn * rg, gh[r * gs + 2 * h + j], at + " ∂h_n");
                    Near(d * z, dh[r * h + j], at + " ∂h direct");
                }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Rnn_forward_and_backward_match_tanh_and_relu(KernelPath path)
    {
        foreach (bool relu in new[] { false, true })
            foreach (int h in HiddenSizes)
            {
                int gs = h + 2, ss = h + 1, os = 2 * h;
                var pre = Uniform(Rows * gs, h, -3f, 3f);
                var hp = Uniform(Rows * ss, h + 1);
                var bias = Uniform(h, h + 7, -1f, 1f);
                var gates = (float[])pre.Clone();
                var hn = new float[Rows * ss];
                var y = Uniform(Rows * os, h + 2);
                RnnCell.Forward(relu, Rows, h, Step, Lengths, gates, gs, bias, hp, ss, hn, ss, y, os, path);
                var dy = Uniform(Rows * os, h + 3, -1f, 1f);
                var dh = Uniform(Rows * h, h + 4, -1f, 1f);
                var dhIn = (float[])dh.Clone();
                var grads = Uniform(Rows * gs, h + 5);
                RnnCell.Backward(relu, Rows, h, Step, Lengths, gates, gs, grads, gs, dy, os, dh, path);
                for (int r = 0; r < Rows; r++)
                    for (int j = 0; j < h; j++)
                    {
                        string at = $"RNN({(relu ? "relu" : "tanh")}) {path} H={h} row {r} j={j}";
                        if (r == 1)
                        {
                            Assert.Equal(hp[r * ss + j], hn[r * ss + j]);
                            Assert.Equal(0f, y[r * os + j]);
                            Assert.Equal(0f, grads[r * gs + j]);
                            Assert.Equal(dhIn[r * h + j], dh[r * h + j]);
                            continue;
                        }
                        double a = (double)pre[r * gs + j] + bias[j], v = relu ? Math.Max(a, 0) : Math.Tanh(a);
                        Near(v, hn[r * ss + j], at + " h'");
                        Near(v, y[r * os + j], at + " output");
                        v = gates[r * gs + j];
                        double d = dhIn[r * h + j] + dy[r * os + j];
                        Near(relu ? (v > 0 ? d : 0) : d * (1 - v * v), grads[r * gs + j], at + " ∂a");
                        Assert.Equal(0f, dh[r * h + j]);
                    }
            }
    }

    [Fact]
    public void A_span_too_short_for_its_rows_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            RnnCell.Forward(false, 2, 4, 0, [], new float[7], 4, new float[4], new float[8], 4, new float[8], 4, new float[8], 4, KernelPath.Scalar));
        Assert.Contains("gates", e.Message);
    }

    private static void Near(double expected, float actual, string what) =>
        Assert.True(Math.Abs(actual - expected) <= 2e-6 * Math.Abs(expected) + 2e-7, $"{what}: {actual:R}, expected {expected:R}");
}
