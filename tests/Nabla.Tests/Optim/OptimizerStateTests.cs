using Nabla.Optim;
using Nabla.Optim.Rules;
using Nabla.Tensors;
using static Nabla.Tests.Optim.QuadraticProblem;

namespace Nabla.Tests.Optim;

/// <summary>State save/restore, skipping parameters without gradients, validation and allocation of every optimizer.</summary>
[Collection(ProcessWideStateCollection.Name)]
public class OptimizerStateTests
{
    public static TheoryData<string> Names => new()
    {
        "sgd_momentum_dampening_wd", "sgd_nesterov_wd", "adagrad_decay_wd_init", "rmsprop_centered_momentum_wd", "adam_wd_amsgrad", "adamw_wd_amsgrad",
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Restoring_a_state_dict_into_a_fresh_optimizer_continues_identically(string name)
    {
        var ps = Parameters();
        var original = OptimizerReferenceTests.Make(name, ps);
        Run(original, ps, 3);
        var saved = original.StateDict().ToDictionary(kv => kv.Key, kv => Tensor.FromArray(kv.Value.ToArray(), [.. kv.Value.Shape.ToArray()]));
        var savedParams = ps.Select(p => p.ToArray()).ToArray();
        Run(original, ps, 2);

        var qs = Parameters();
        for (int i = 0; i < qs.Length; i++) savedParams[i].CopyTo(qs[i].AsSpan());
        var restored = OptimizerReferenceTests.Make(name, qs);
        restored.LoadStateDict(saved);
        Assert.Equal(3, restored.StepCount);
        Run(restored, qs, 2);
        Assert.Equal(Flatten(ps), Flatten(qs));
    }

    [Fact]
    public void State_dicts_use_pytorch_names_and_a_step_tensor()
    {
        var ps = Parameters();
        var adam = new Adam(ps, amsgrad: true);
        Run(adam, ps, 2);
        var keys = adam.StateDict().Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["0.exp_avg", "0.exp_avg_sq", "0.max_exp_avg_sq", "1.exp_avg", "1.exp_avg_sq", "1.max_exp_avg_sq",
            "param_groups.0.lr", "param_groups.0.params", "param_groups.0.weight_decay", "step"], keys);
        Assert.Equal([0f, 1f], adam.StateDict()["param_groups.0.params"].ToArray());
        Assert.Equal(2f, adam.StateDict()["step"].Item());
        Assert.Contains("0.momentum_buffer", new SGD(ps, 0.1f, momentum: 0.5f).Also(o => Run(o, ps, 1)).StateDict().Keys);
        Assert.Contains("1.sum", new Adagrad(ps).Also(o => Run(o, ps, 1)).StateDict().Keys);
        Assert.Contains("1.square_avg", new RMSprop(ps).Also(o => Run(o, ps, 1)).StateDict().Keys);
    }

    [Fact]
    public void Loading_a_state_with_a_wrong_shape_or_unknown_key_fails_with_names()
    {
        var adam = new Adam(Parameters());
        var bad = new Dictionary<string, Tensor> { ["step"] = Tensor.FromArray([1f], 1), ["0.exp_avg"] = Tensor.Zeros(3) };
        var e = Assert.Throws<ShapeMismatchException>(() => adam.LoadStateDict(bad));
        Assert.Contains("0.exp_avg", e.Message);
        var unknown = new Dictionary<string, Tensor> { ["step"] = Tensor.FromArray([1f], 1), ["5.exp_avg"] = Tensor.Zeros(3) };
        Assert.Contains("5.exp_avg", Assert.Throws<ArgumentException>(() => adam.LoadStateDict(unknown)).Message);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Parameters_without_gradient_are_left_untouched(string name)
    {
        var ps = Parameters();
        var opt = OptimizerReferenceTests.Make(name, ps);
        SetGradients(ps);
        ps[1].Grad = null;
        var before = ps[1].ToArray();
        opt.Step();
        opt.Step();
        Assert.Equal(before, ps[1].ToArray());
        Assert.NotEqual(Start.AsSpan(0, 4).ToArray(), ps[0].ToArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Steps_after_the_first_do_not_allocate(string name)
    {
        var ps = Parameters();
        var opt = OptimizerReferenceTests.Make(name, ps);
        Run(opt, ps, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) opt.Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Steps_of_a_chain_with_clipping_rules_groups_and_a_hook_do_not_allocate()
    {
        var ps = Parameters();
        var opt = new Optimizer([new ParameterGroup([ps[0]], lr: 0.01f), new ParameterGroup([ps[1]])], 0.1f, 0.01f,
            new ClipGlobalNorm(1f), new ClipNorm(0.5f), new ClipValue(0.2f), new WeightDecay(), new Momentum(0.9f), new SignDescent());
        opt.BeforeStep += o => GradientClipping.ClipByNorm(o.Parameters, 2f);
        Run(opt, ps, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) opt.Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Invalid_hyperparameters_are_rejected_naming_the_value()
    {
        var ps = Parameters();
        Assert.Contains("-0.5", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(ps, 0.1f, momentum: -0.5f)).Message);
        Assert.Throws<ArgumentException>(() => new SGD(ps, 0.1f, nesterov: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(ps, -1f));
        Assert.Contains("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(ps, beta2: 1f)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(ps, eps: 0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RMSprop(ps, alpha: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(ps, lrDecay: float.NaN));
    }

    [Fact]
    public void Defaults_match_torch_optim()
    {
        var ps = Parameters();
        var adam = new Adam(ps);
        Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Eps, adam.WeightDecay, adam.AmsGrad));
        var adamw = new AdamW(ps);
        Assert.Equal((1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f), (adamw.LearningRate, adamw.Beta1, adamw.Beta2, adamw.Eps, adamw.WeightDecay));
        var rms = new RMSprop(ps);
        Assert.Equal((0.01f, 0.99f, 1e-8f, 0f, 0f, false), (rms.LearningRate, rms.Alpha, rms.Eps, rms.WeightDecay, rms.Momentum, rms.Centered));
        var ada = new Adagrad(ps);
        Assert.Equal((0.01f, 0f, 0f, 0f, 1e-10f), (ada.LearningRate, ada.LrDecay, ada.WeightDecay, ada.InitialAccumulatorValue, ada.Eps));
    }
}

internal static class FluentExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
