using Nabla.Optim;
using Nabla.Optim.Rules;
using static Nabla.Tests.Optim.QuadraticProblem;

namespace Nabla.Tests.Optim;

/// <summary>
/// Chains of update rules under the one parameter loop: each rule against its formula evaluated
/// in double, the order of phases, and the checks on a chain's shape.
/// </summary>
public class RuleChainTests
{
    /// <summary>The quadratic problem's gradient at the start, in double.</summary>
    private static double[] StartGradient() => [.. Enumerable.Range(0, Start.Length).Select(i => (double)A[i] * (Start[i] - C[i]))];

    private static void Close(double[] expected, float[] actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void An_empty_chain_is_plain_gradient_descent()
    {
        var ps = Parameters();
        Run(new Optimizer(ps, 0.1f, 0f), ps, 1);
        var g = StartGradient();
        Close([.. Start.Select((p, i) => p - 0.1 * g[i])], Flatten(ps));
    }

    [Fact]
    public void ClipValue_then_descent_moves_each_weight_by_the_clamped_gradient()
    {
        var ps = Parameters();
        Run(new Optimizer(ps, 0.1f, 0f, new ClipValue(0.5f)), ps, 1);
        var g = StartGradient();
        Close([.. Start.Select((p, i) => p - 0.1 * Math.Clamp(g[i], -0.5, 0.5))], Flatten(ps));
    }

    [Fact]
    public void ClipNorm_rescales_each_parameter_by_its_own_norm()
    {
        var ps = Parameters();
        Run(new Optimizer(ps, 0.1f, 0f, new ClipNorm(1f)), ps, 1);
        var g = StartGradient();
        var expected = new double[g.Length];
        foreach (var (from, to) in new[] { (0, 4), (4, 7) })
        {
            double norm = Math.Sqrt(g[from..to].Sum(v => v * v));
            double c = Math.Min(1, 1 / (norm + 1e-6));
            for (int i = from; i < to; i++) expected[i] = Start[i] - 0.1 * c * g[i];
        }
        Close(expected, Flatten(ps));
    }

    [Fact]
    public void ClipGlobalNorm_clips_the_groups_gradients_in_place_by_their_total_norm_before_the_rules()
    {
        var ps = Parameters();
        var opt = new Optimizer(ps, 0.1f, 0f, new ClipGlobalNorm(1f), new SignDescent());
        SetGradients(ps);
        opt.Step();
        var g = StartGradient();
        double c = 1 / (Math.Sqrt(g.Sum(v => v * v)) + 1e-6);
        Close([.. g.Select(v => c * v)], [.. ps[0].Grad!.ToArray(), .. ps[1].Grad!.ToArray()]);
        Close([.. Start.Select((p, i) => p - 0.1 * Math.Sign(g[i]))], Flatten(ps));
    }

    [Fact]
    public void Coupled_decay_before_a_stateful_rule_matches_the_formula_over_several_steps()
    {
        // Signum with L2 decay: d = g + λp, b ← d (t = 1) or μb + d, p ← p − η·sign(b).
        var ps = Parameters();
        Run(new Optimizer(ps, 0.05f, 0.1f, new WeightDecay(), new Momentum(0.9f), new SignDescent()), ps, 4);
        var p = Start.Select(v => (double)v).ToArray();
        var b = new double[p.Length];
        for (int t = 1; t <= 4; t++)
            for (int i = 0; i < p.Length; i++)
            {
                double d = A[i] * (p[i] - C[i]) + 0.1 * p[i];
                b[i] = t == 1 ? d : 0.9 * b[i] + d;
                p[i] -= 0.05 * Math.Sign(b[i]);
            }
        Close(p, Flatten(ps), 1e-5);
    }

    [Fact]
    public void Rules_leave_the_gradient_as_backward_wrote_it()
    {
        var ps = Parameters();
        var opt = new Optimizer(ps, 0.1f, 0.01f, new ClipValue(0.5f), new WeightDecay(), new Nesterov(0.9f));
        for (int s = 0; s < 3; s++)
        {
            SetGradients(ps);
            var grads = Flatten([ps[0].Grad!, ps[1].Grad!]);
            opt.Step();
            Assert.Equal(grads, Flatten([ps[0].Grad!, ps[1].Grad!]));
        }
    }

    [Fact]
    public void BeforeStep_hooks_run_in_order_after_backward_and_before_any_update()
    {
        var ps = Parameters();
        var opt = new SGD(ps, 0.1f);
        var seen = new List<(string Hook, int Step, float P, float MaxGrad)>();
        float MaxGrad(Optimizer o) => o.Parameters.Max(p => p.Grad!.ToArray().Max(Math.Abs));
        opt.BeforeStep += o =>
        {
            seen.Add(("first", o.StepCount, o.Parameters[0].ToArray()[0], MaxGrad(o)));
            GradientClipping.ClipByValue(o.Parameters, 0.1f);
        };
        opt.BeforeStep += o => seen.Add(("second", o.StepCount, o.Parameters[0].ToArray()[0], MaxGrad(o)));
        Run(opt, ps, 1);
        Assert.Equal([("first", 0, 1f, 4f * 2f), ("second", 0, 1f, 0.1f)], seen);
        Assert.Equal(1f - 0.1f * 0.1f, ps[0].ToArray()[0], 6);
    }

    [Fact]
    public void A_chain_out_of_order_or_with_clashing_state_is_refused_naming_the_rules()
    {
        var ps = Parameters();
        Assert.Contains("must be the last rule", Assert.Throws<ArgumentException>(() => new Optimizer(ps, 0.1f, 0f, new AdamRule(), new ClipValue(1f))).Message);
        Assert.Contains("put it first", Assert.Throws<ArgumentException>(() => new Optimizer(ps, 0.1f, 0f, new ClipValue(1f), new ClipGlobalNorm(1f))).Message);
        Assert.Contains("momentum_buffer", Assert.Throws<ArgumentException>(() => new Optimizer(ps, 0.1f, 0f, new Momentum(0.9f), new Nesterov(0.9f))).Message);
        Assert.Contains("no rule that uses it", Assert.Throws<ArgumentException>(() => new Optimizer(ps, 0.1f, 0.01f, new AdamRule())).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Nesterov(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClipNorm(-1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamRule(beta1: 1f));
    }

    [Fact]
    public void The_named_optimizers_are_the_documented_chains()
    {
        var ps = Parameters();
        static string Chain(Optimizer o) => string.Join(" ", o.Chain.Select(r => r.GetType().Name));
        Assert.Equal("WeightDecay", Chain(new SGD(ps, 0.1f)));
        Assert.Equal("WeightDecay Nesterov", Chain(new SGD(ps, 0.1f, momentum: 0.9f, nesterov: true)));
        Assert.Equal("WeightDecay RMSpropRule Momentum", Chain(new RMSprop(ps, momentum: 0.5f)));
        Assert.Equal("WeightDecay AdagradRule", Chain(new Adagrad(ps)));
        Assert.Equal("WeightDecay AdamRule", Chain(new Adam(ps)));
        Assert.Equal("DecoupledWeightDecay AdamRule", Chain(new AdamW(ps)));
    }
}
