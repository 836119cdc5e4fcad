using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class InitTests
{
    private static Tensor Filled(IInitializer init, ulong seed, params int[] shape)
    {
        var t = Tensor.Zeros(new Shape(shape));
        init.Initialize(t, new Rng(seed));
        return t;
    }

    private static (double Min, double Max, double Mean, double Var) Stats(Tensor t)
    {
        var v = t.ToArray();
        double mean = v.Average(x => (double)x);
        double var = v.Average(x => (x - mean) * (x - mean));
        return (v.Min(), v.Max(), mean, var);
    }

    [Fact]
    public void Fans_follow_pytorch_for_linear_conv_and_bias_shapes()
    {
        Assert.Equal((784, 256), Init.Fans(new Shape(256, 784)));
        Assert.Equal((3 * 5 * 5, 16 * 5 * 5), Init.Fans(new Shape(16, 3, 5, 5)));
        Assert.Equal((10, 10), Init.Fans(new Shape(10)));
        Assert.Throws<ArgumentException>(() => Init.Fans(new Shape()));
    }

    [Fact]
    public void Glorot_uniform_stays_within_its_bound_and_has_variance_bound_squared_over_three()
    {
        var t = Filled(Init.GlorotUniform(), 1, 300, 500);
        double b = Math.Sqrt(6.0 / 800);
        var s = Stats(t);
        Assert.True(s.Min >= -b && s.Max <= b, $"range [{s.Min}, {s.Max}] outside ±{b}");
        Assert.True(s.Max > 0.99 * b && s.Min < -0.99 * b, "samples should reach near the bound");
        Assert.Equal(b * b / 3, s.Var, b * b / 3 * 0.03);
        Assert.Equal(0, s.Mean, 1e-3);
    }

    [Fact]
    public void Glorot_normal_has_variance_two_over_fan_in_plus_fan_out()
    {
        var s = Stats(Filled(Init.GlorotNormal(), 2, 300, 500));
        Assert.Equal(2.0 / 800, s.Var, 2.0 / 800 * 0.03);
        Assert.Equal(0, s.Mean, 1e-3);
    }

    [Fact]
    public void He_uniform_stays_within_root_six_over_fan_in()
    {
        var s = Stats(Filled(Init.HeUniform(), 3, 256, 400));
        double b = Math.Sqrt(6.0 / 400);
        Assert.True(s.Min >= -b && s.Max <= b && s.Max > 0.99 * b);
        Assert.Equal(2.0 / 400, s.Var, 2.0 / 400 * 0.03);
    }

    [Fact]
    public void He_uniform_with_a_root_five_is_pytorch_linear_default_bound_one_over_root_fan_in()
    {
        var s = Stats(Filled(Init.HeUniform(MathF.Sqrt(5)), 4, 256, 400));
        double b = 1 / Math.Sqrt(400);
        Assert.True(s.Min >= -b - 1e-7 && s.Max <= b + 1e-7 && s.Max > 0.99 * b);
    }

    [Fact]
    public void He_normal_has_variance_two_over_fan_in_also_for_conv_shapes()
    {
        var s = Stats(Filled(Init.HeNormal(), 5, 64, 16, 3, 3));
        double v = 2.0 / (16 * 9);
        Assert.Equal(v, s.Var, v * 0.03);
    }

    [Fact]
    public void Small_uniform_normal_constant_zeros_and_ones_give_the_requested_values()
    {
        var u = Stats(Filled(Init.Uniform(0.05f), 6, 200, 200));
        Assert.True(u.Min >= -0.05 && u.Max <= 0.05 && u.Max > 0.049);
        var n = Stats(Filled(Init.Normal(0.01f), 7, 200, 200));
        Assert.Equal(1e-4, n.Var, 1e-4 * 0.03);
        Assert.All(Filled(Init.Constant(0.3f), 0, 4, 5).ToArray(), v => Assert.Equal(0.3f, v));
        Assert.All(Filled(Init.Ones(), 0, 4, 5).ToArray(), v => Assert.Equal(1f, v));
        var z = Tensor.Ones(3, 3);
        Init.Zeros().Initialize(z, new Rng(0));
        Assert.All(z.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Sparse_count_gives_exactly_that_many_non_zeros_in_every_unit()
    {
        var t = Filled(Init.SparseCount(15, std: 1f), 8, 40, 100);
        var v = t.ToArray();
        for (int row = 0; row < 40; row++)
            Assert.Equal(15, v.Skip(row * 100).Take(100).Count(x => x != 0));
        var nonZero = v.Where(x => x != 0).Select(x => (double)x).ToArray();
        Assert.Equal(1.0, nonZero.Average(x => x * x), 0.15);
    }

    [Fact]
    public void Sparse_fraction_zeros_the_ceiling_of_the_fraction_of_each_unit()
    {
        var v = Filled(Init.SparseFraction(0.9f, 0.01f), 9, 30, 25).ToArray();
        int expected = 25 - (int)Math.Ceiling(0.9 * 25); // 2 non-zeros
        for (int row = 0; row < 30; row++)
            Assert.Equal(expected, v.Skip(row * 25).Take(25).Count(x => x != 0));
    }

    [Fact]
    public void Sparse_count_larger_than_fan_in_is_rejected_naming_the_shape()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Filled(Init.SparseCount(15), 0, 4, 10));
        Assert.Contains("[4, 10]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_seed_gives_same_weights_and_another_seed_different_ones()
    {
        foreach (var init in new[] { Init.GlorotUniform(), Init.GlorotNormal(), Init.HeUniform(), Init.HeNormal(), Init.SparseCount(3) })
        {
            Assert.Equal(Filled(init, 42, 8, 9).ToArray(), Filled(init, 42, 8, 9).ToArray());
            Assert.NotEqual(Filled(init, 42, 8, 9).ToArray(), Filled(init, 43, 8, 9).ToArray());
        }
    }

    [Fact]
    public void From_name_knows_keras_and_pytorch_names_and_lists_them_for_unknown_ones()
    {
        Assert.Equal("glorot_uniform", Init.FromName("xavier_uniform").Name);
        Assert.Equal("he_normal", Init.FromName("He_Normal").Name);
        var ex = Assert.Throws<ArgumentException>(() => Init.FromName("orthogonal"));
        Assert.Contains("glorot_uniform", ex.Message, StringComparison.Ordinal);
    }
}
