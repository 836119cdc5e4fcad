using Nabla.Kernels;
using static Nabla.Tests.Kernels.KernelTestSupport;

namespace Nabla.Tests.Kernels;

public class PrimitivesTests
{
    public static IEnumerable<object[]> AllPaths => Paths();

    // Elementwise maps round once per operation, exactly like the scalar expression in float.
    private static void Check(string name, KernelPath path, Action<float[], float[], float[], float[]> run, Func<float, float, float, float> expected)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, n, -4f, 4f), y = Uniform(n, 7 + n, 0.5f, 3f), z = Uniform(n, 13 + n);
            if (n > 3)
            {
                x[1] = float.NaN;
                x[3] = -0f;
            }

            var d = new float[n];
            run(x, y, z, d);
            AssertClose(d, i => expected(x[i], y[i], z[i]), 0, 0, $"{name} n={n} {path}");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Elementwise_maps_equal_the_scalar_float_expression_bit_for_bit(KernelPath p)
    {
        Check("Add", p, (x, y, z, d) => Primitives.Add(x, y, d, p), (a, b, c) => a + b);
        Check("AddScalar", p, (x, y, z, d) => Primitives.Add(x, 1.5f, d, p), (a, b, c) => a + 1.5f);
        Check("Subtract", p, (x, y, z, d) => Primitives.Subtract(x, y, d, p), (a, b, c) => a - b);
        Check("SubtractFrom", p, (x, y, z, d) => Primitives.Subtract(2f, x, d, p), (a, b, c) => 2f - a);
        Check("Multiply", p, (x, y, z, d) => Primitives.Multiply(x, y, d, p), (a, b, c) => a * b);
        Check("MultiplyScalar", p, (x, y, z, d) => Primitives.Multiply(x, -0.3f, d, p), (a, b, c) => a * -0.3f);
        Check("Divide", p, (x, y, z, d) => Primitives.Divide(x, y, d, p), (a, b, c) => a / b);
        Check("DivideByScalar", p, (x, y, z, d) => Primitives.Divide(x, 3f, d, p), (a, b, c) => a / 3f);
        Check("DivideScalarBy", p, (x, y, z, d) => Primitives.Divide(3f, y, d, p), (a, b, c) => 3f / b);
        Check("MultiplyAdd", p, (x, y, z, d) => Primitives.MultiplyAdd(x, y, z, d, p), (a, b, c) => a * b + c);
        Check("MultiplyAddScalarFactor", p, (x, y, z, d) => Primitives.MultiplyAdd(x, 0.7f, z, d, p), (a, b, c) => a * 0.7f + c);
        Check("MultiplyAddScalarAddend", p, (x, y, z, d) => Primitives.MultiplyAdd(x, y, -1.25f, d, p), (a, b, c) => a * b + -1.25f);
        Check("Max", p, (x, y, z, d) => Primitives.Max(x, z, d, p), (a, b, c) => MathF.Max(a, c));
        Check("MaxScalar", p, (x, y, z, d) => Primitives.Max(x, 0f, d, p), (a, b, c) => MathF.Max(a, 0f));
        Check("Min", p, (x, y, z, d) => Primitives.Min(x, z, d, p), (a, b, c) => MathF.Min(a, c));
        Check("Clamp", p, (x, y, z, d) => Primitives.Clamp(x, -1f, 2f, d, p), (a, b, c) => MathF.Min(MathF.Max(a, -1f), 2f));
        Check("Sqrt", p, (x, y, z, d) => Primitives.Sqrt(y, d, p), (a, b, c) => MathF.Sqrt(b));
    }

    private static void CheckFixed<TOp>(KernelPath path, Func<float, float, float> expected) where TOp : struct, IBinaryOp
    {
        string name = typeof(TOp).Name;
        foreach (float s in new[] { 1.5f, -0f, 0f, float.NaN })
        {
            Check($"ScalarRight<{name}>({s})", path, (x, y, z, d) => Primitives.Map(new ScalarRight<TOp>(default, s), x, d, path), (a, b, c) => expected(a, s));
            Check($"ScalarLeft<{name}>({s})", path, (x, y, z, d) => Primitives.Map(new ScalarLeft<TOp>(default, s), x, d, path), (a, b, c) => expected(s, a));
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Binary_ops_with_one_operand_fixed_equal_the_scalar_float_expression_bit_for_bit(KernelPath p)
    {
        CheckFixed<AddOp>(p, (a, b) => a + b);
        CheckFixed<SubtractOp>(p, (a, b) => a - b);
        CheckFixed<MultiplyOp>(p, (a, b) => a * b);
        CheckFixed<DivideOp>(p, (a, b) => a / b);
        CheckFixed<MaxOp>(p, MathF.Max);
        CheckFixed<MinOp>(p, MathF.Min);
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void In_place_calls_read_every_input_before_writing_it(KernelPath p)
    {
        foreach (int n in new[] { 1, 17, 100 })
        {
            float[] x = Uniform(n, n), y = Uniform(n, n + 5), z = Uniform(n, n + 9);
            float[] acc = (float[])z.Clone();
            Primitives.MultiplyAdd(x, y, acc, acc, p);
            AssertClose(acc, i => x[i] * y[i] + z[i], 0, 0, $"MultiplyAdd into its addend n={n} {p}");
            acc = (float[])z.Clone();
            Primitives.MultiplyAdd(x, 0.5f, acc, acc, p);
            AssertClose(acc, i => x[i] * 0.5f + z[i], 0, 0, $"MultiplyAdd scalar into its addend n={n} {p}");
            float[] own = (float[])x.Clone();
            Primitives.Subtract(own, y, own, p);
            AssertClose(own, i => x[i] - y[i], 0, 0, $"Subtract into its input n={n} {p}");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Exp_is_within_two_ulps_of_the_double_result_and_keeps_specials(KernelPath path)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, n, -80f, 80f);
            var d = new float[n];
            Primitives.Exp(x, d, path);
            AssertClose(d, i => Math.Exp(x[i]), 1e-37, 2.5e-7, $"Exp n={n} {path}");
        }

        float[] specials = [float.NegativeInfinity, float.PositiveInfinity, float.NaN, 0f, -0f, 100f, -110f, 1f, 88.7f, -87f, 2f, 3f, 4f, 5f, 6f, 7f, 8f];
        var s = new float[specials.Length];
        Primitives.Exp(specials, s, path);
        AssertClose(s, i => float.IsNaN(specials[i]) ? double.NaN : (float)Math.Exp(specials[i]), 1e-37, 2.5e-7, $"Exp specials {path}");
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Sum_and_dot_match_a_double_accumulation(KernelPath path)
    {
        foreach (int n in Lengths())
        {
            float[] x = Uniform(n, n), y = Uniform(n, 3 * n + 1);
            double sum = 0, dot = 0, abs = 0;
            for (int i = 0; i < n; i++)
            {
                sum += x[i];
                dot += (double)x[i] * y[i];
                abs += Math.Abs(x[i]) * (1 + Math.Abs(y[i]));
            }

            double tol = 1e-6 * abs + 1e-6;
            Assert.True(Math.Abs(PrimitiveReductions.Sum(x, path) - sum) <= tol, $"Sum n={n} {path}");
            Assert.True(Math.Abs(PrimitiveReductions.Dot(x, y, path) - dot) <= tol, $"Dot n={n} {path}");
        }
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    internal void Max_finds_the_largest_element_at_any_position_and_propagates_NaN(KernelPath path)
    {
        foreach (int n in Lengths())
        {
            if (n == 0) continue;
            float[] x = Uniform(n, n);
            int at = (n * 7) % n;
            x[at] = 100f;
            Assert.Equal(100f, PrimitiveReductions.Max(x, path));
            x[(n * 3) % n] = float.NaN;
            Assert.True(float.IsNaN(PrimitiveReductions.Max(x, path)), $"Max NaN n={n} {path}");
        }

        Assert.Throws<ArgumentException>(() => PrimitiveReductions.Max([], path));
    }

    [Fact]
    public void Mismatched_lengths_name_the_spans()
    {
        var e = Assert.Throws<ArgumentException>(() => Primitives.Add(new float[3], new float[4], new float[3]));
        Assert.Contains("length 4", e.Message);
        Assert.Throws<ArgumentException>(() => Primitives.MultiplyAdd(new float[3], new float[3], new float[2], new float[3]));
        Assert.Throws<ArgumentException>(() => Primitives.Dot(new float[3], new float[2]));
    }
}
