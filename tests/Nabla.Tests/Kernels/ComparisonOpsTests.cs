using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

public class ComparisonOpsTests
{
    public static IEnumerable<object[]> AllPaths => Paths();

    // Operands with NaN, signed zeros, infinities and equal pairs, so every relation is both true
    // and false somewhere, in the vector body and in the scalar tail.
    private static (float[] X, float[] Y) Operands(int n)
    {
        float[] x = Uniform(n, n, -2f, 2f), y = Uniform(n, 5 + n, -2f, 2f);
        for (int i = 0; i < n; i++)
        {
            switch (i % 7)
            {
                case 1: y[i] = x[i]; break;
                case 2: x[i] = float.NaN; break;
                case 3: (x[i], y[i]) = (-0f, 0f); break;
                case 5: y[i] = float.NaN; break;
                case 6: (x[i], y[i]) = (float.PositiveInfinity, float.NegativeInfinity); break;
            }
        }
        return (x, y);
    }

    private static void Check<TOp>(KernelPath path, Func<float, float, bool> relation) where TOp : struct, IBinaryOp
    {
        string name = typeof(TOp).Name;
        foreach (int n in Lengths())
        {
            var (x, y) = Operands(n);
            var d = new float[n];
            Primitives.Map(default(TOp), x, y, d, path);
            for (int i = 0; i < n; i++)
                Assert.True(d[i] == (relation(x[i], y[i]) ? 1f : 0f), $"{name}({x[i]}, {y[i]}) gave {d[i]}, n={n} {path}");

            foreach (float s in new[] { 0.5f, -0f, float.NaN })
            {
                Primitives.Map(new ScalarRight<TOp>(default, s), x, d, path);
                for (int i = 0; i < n; i++)
                    Assert.True(d[i] == (relation(x[i], s) ? 1f : 0f), $"{name}({x[i]}, {s}) gave {d[i]}, n={n} {path}");
                Primitives.Map(new ScalarLeft<TOp>(default, s), y, d, path);
                for (int i = 0; i < n; i++)
                    Assert.True(d[i] == (relation(s, y[i]) ? 1f : 0f), $"{name}({s}, {y[i]}) gave {d[i]}, n={n} {path}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Every_comparison_gives_exactly_one_or_zero_like_the_scalar_relation(KernelPath p)
    {
        Check<GreaterThanOp>(p, (a, b) => a > b);
        Check<GreaterThanOrEqualOp>(p, (a, b) => a >= b);
        Check<LessThanOp>(p, (a, b) => a < b);
        Check<LessThanOrEqualOp>(p, (a, b) => a <= b);
        Check<EqualOp>(p, (a, b) => a == b);
        Check<NotEqualOp>(p, (a, b) => a != b);
    }
}
