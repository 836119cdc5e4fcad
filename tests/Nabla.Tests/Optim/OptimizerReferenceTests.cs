using Nabla.Optim;
using Nabla.Tensors;
using static Nabla.Tests.Optim.QuadraticProblem;

namespace Nabla.Tests.Optim;

/// <summary>
/// Every optimizer variant against (1) its documented update rule evaluated in double in this file
/// and (2) PyTorch 1.13.1's torch.optim after 5 steps, constants printed by
/// reference/make_optim_reference.py on the same problem (<see cref="QuadraticProblem"/>).
/// </summary>
public class OptimizerReferenceTests
{
    internal static Optimizer Make(string name, Tensor[] ps) => name switch
    {
        "sgd" => new SGD(ps, lr: 0.1f),
        "sgd_momentum_dampening_wd" => new SGD(ps, lr: 0.1f, momentum: 0.9f, dampening: 0.1f, weightDecay: 0.01f),
        "sgd_nesterov_wd" => new SGD(ps, lr: 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 0.01f),
        "adagrad" => new Adagrad(ps, lr: 0.1f),
        "adagrad_decay_wd_init" => new Adagrad(ps, lr: 0.1f, lrDecay: 0.01f, weightDecay: 0.01f, initialAccumulatorValue: 0.1f),
        "rmsprop" => new RMSprop(ps, lr: 0.01f),
        "rmsprop_centered_momentum_wd" => new RMSprop(ps, lr: 0.01f, momentum: 0.9f, centered: true, weightDecay: 0.01f),
        "adam" => new Adam(ps, lr: 0.1f),
        "adam_wd_amsgrad" => new Adam(ps, lr: 0.1f, weightDecay: 0.01f, amsgrad: true),
        "adamw" => new AdamW(ps, lr: 0.1f),
        "adamw_wd_amsgrad" => new AdamW(ps, lr: 0.1f, weightDecay: 0.1f, amsgrad: true),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("sgd", new[] { 0.71334302, -0.46214399, 0.61310953, 0.75210506, -0.32954079, 0.66722101, -0.34448001 })]
    [InlineData("sgd_momentum_dampening_wd", new[] { 0.30798855, 0.23147993, 0.76781774, -0.65986937, -0.08652640, 1.22140884, -2.04309797 })]
    [InlineData("sgd_nesterov_wd", new[] { 0.21914726, 0.13449737, 0.83377880, -0.02163267, -0.01437719, 1.24052763, -0.82515025 })]
    [InlineData("adagrad", new[] { 0.70793009, -0.70358181, 0.77730823, 1.69029725, -0.22269177, 0.54440522, 1.18676150 })]
    [InlineData("adagrad_decay_wd_init", new[] { 0.72587341, -0.71065360, 0.70496070, 1.69522560, -0.25989014, 0.53406137, 1.19155717 })]
    [InlineData("rmsprop", new[] { 0.70672441, -0.70235592, 0.77842891, 1.68902540, -0.22157106, 0.54562205, 1.18548155 })]
    [InlineData("rmsprop_centered_momentum_wd", new[] { 0.18672551, -0.16452688, 1.22234809, 1.09835148, 0.23398487, 1.07325757, 0.58195347 })]
    [InlineData("adam", new[] { 0.51455164, -0.51150423, 0.97218549, 1.50435817, -0.02781446, 0.73713112, 1.00295579 })]
    [InlineData("adam_wd_amsgrad", new[] { 0.51444095, -0.51147974, 0.96979547, 1.50435138, -0.02781446, 0.73692858, 1.00295818 })]
    [InlineData("adamw", new[] { 0.51078784, -0.50768304, 0.96906084, 1.49549019, -0.02652822, 0.73497558, 0.99652141 })]
    [InlineData("adamw_wd_amsgrad", new[] { 0.47779480, -0.47414321, 0.94128895, 1.41741610, -0.01533036, 0.71586162, 0.93986470 })]
    public void Five_steps_match_the_formula_in_double_and_pytorch(string name, double[] pytorch)
    {
        var ps = Parameters();
        Run(Make(name, ps), ps, 5);
        var actual = Flatten(ps);
        var formula = Reference(name, 5);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(Math.Abs(formula[i] - actual[i]) <= 1e-6, $"{name} element {i}: formula {formula[i]}, got {actual[i]}");
            Assert.True(Math.Abs(pytorch[i] - actual[i]) <= 1e-6, $"{name} element {i}: PyTorch {pytorch[i]}, got {actual[i]}");
        }
    }

    /// <summary>The documented update rules, element by element in double.</summary>
    private static double[] Reference(string name, int steps)
    {
        int n = Start.Length;
        var p = Start.Select(v => (double)v).ToArray();
        double[] m = new double[n], v = new double[n], vMax = new double[n], gAvg = new double[n], buf = new double[n];
        bool amsgrad = name.Contains("amsgrad", StringComparison.Ordinal);
        for (int t = 1; t <= steps; t++)
        {
            for (int i = 0; i < n; i++)
            {
                double g = A[i] * (p[i] - C[i]);
                switch (name)
                {
                    case "sgd":
                        p[i] -= 0.1 * g;
                        break;
                    case "sgd_momentum_dampening_wd":
                        g += 0.01 * p[i];
                        buf[i] = t == 1 ? g : 0.9 * buf[i] + (1 - 0.1) * g;
                        p[i] -= 0.1 * buf[i];
                        break;
                    case "sgd_nesterov_wd":
                        g += 0.01 * p[i];
                        buf[i] = t == 1 ? g : 0.9 * buf[i] + g;
                        p[i] -= 0.1 * (g + 0.9 * buf[i]);
                        break;
                    case "adagrad" or "adagrad_decay_wd_init":
                    {
                        bool full = name != "adagrad";
                        double clr = 0.1 / (1 + (t - 1) * (full ? 0.01 : 0));
                        if (full) g += 0.01 * p[i];
                        if (t == 1 && full) v[i] = 0.1;
                        v[i] += g * g;
                        p[i] -= clr * g / (Math.Sqrt(v[i]) + 1e-10);
                        break;
                    }
                    case "rmsprop":
                        v[i] = 0.99 * v[i] + 0.01 * g * g;
                        p[i] -= 0.01 * g / (Math.Sqrt(v[i]) + 1e-8);
                        break;
                    case "rmsprop_centered_momentum_wd":
                        g += 0.01 * p[i];
                        v[i] = 0.99 * v[i] + 0.01 * g * g;
                        gAvg[i] = 0.99 * gAvg[i] + 0.01 * g;
                        buf[i] = 0.9 * buf[i] + g / (Math.Sqrt(v[i] - gAvg[i] * gAvg[i]) + 1e-8);
                        p[i] -= 0.01 * buf[i];
                        break;
                    default:
                    {
                        bool decoupled = name.StartsWith("adamw", StringComparison.Ordinal);
                        double wd = name switch { "adam_wd_amsgrad" => 0.01, "adamw" => 0.01, "adamw_wd_amsgrad" => 0.1, _ => 0 };
                        if (decoupled) p[i] *= 1 - 0.1 * wd;
                        else g += wd * p[i];
                        m[i] = 0.9 * m[i] + 0.1 * g;
                        v[i] = 0.999 * v[i] + 0.001 * g * g;
                        vMax[i] = Math.Max(vMax[i], v[i]);
                        double mHat = m[i] / (1 - Math.Pow(0.9, t));
                        double vHat = (amsgrad ? vMax[i] : v[i]) / (1 - Math.Pow(0.999, t));
                        p[i] -= 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8);
                        break;
                    }
                }
            }
        }
        return p;
    }
}
