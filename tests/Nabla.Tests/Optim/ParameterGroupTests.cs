using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using static Nabla.Tests.Optim.QuadraticProblem;

namespace Nabla.Tests.Optim;

/// <summary>Parameter groups: own learning rate and weight decay, PyTorch defaults, validation, state dicts.</summary>
public class ParameterGroupTests
{
    // Each case: an optimizer over two groups ([2, 2] at lr₀/λ₀ and [3] at lr₁/λ₁), and the same
    // optimizer built over one parameter with one group's values.
    public static TheoryData<string> Names => new() { "sgd", "sgd_nesterov", "adagrad", "rmsprop", "adam", "adamw" };

    private static Optimizer Make(string name, IEnumerable<ParameterGroup> groups) => name switch
    {
        "sgd" => new SGD(groups, 0.1f, momentum: 0.9f, dampening: 0.1f, weightDecay: 0.01f),
        "sgd_nesterov" => new SGD(groups, 0.1f, momentum: 0.9f, nesterov: true, weightDecay: 0.01f),
        "adagrad" => new Adagrad(groups, 0.1f, lrDecay: 0.01f, weightDecay: 0.01f),
        "rmsprop" => new RMSprop(groups, 0.01f, momentum: 0.9f, centered: true, weightDecay: 0.01f),
        "adam" => new Adam(groups, 0.1f, weightDecay: 0.01f, amsgrad: true),
        "adamw" => new AdamW(groups, 0.1f, weightDecay: 0.1f),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_group_steps_exactly_like_its_own_optimizer_with_the_groups_rate_and_decay(string name)
    {
        var ps = Parameters();
        var grouped = Make(name, [new ParameterGroup([ps[0]]), new ParameterGroup([ps[1]], lr: 0.003f, weightDecay: 0.2f)]);
        Run(grouped, ps, 5);

        var qs = Parameters();
        var first = Make(name, [new ParameterGroup([qs[0]])]);
        var second = Make(name, [new ParameterGroup([qs[1]], lr: 0.003f, weightDecay: 0.2f)]);
        for (int s = 0; s < 5; s++)
        {
            SetGradients(qs);
            first.Step();
            second.Step();
        }
        Assert.Equal(qs[0].ToArray(), ps[0].ToArray());
        Assert.Equal(qs[1].ToArray(), ps[1].ToArray());
        Assert.NotEqual(Start.AsSpan(4).ToArray(), ps[1].ToArray());
    }

    [Fact]
    public void Unset_values_take_the_optimizers_defaults_and_LearningRate_sets_every_group()
    {
        var ps = Parameters();
        var opt = new AdamW([new ParameterGroup([ps[0]], lr: 0.5f), new ParameterGroup([ps[1]], weightDecay: 0f)], lr: 0.1f, weightDecay: 0.3f);
        Assert.Equal((0.5f, 0.3f), (opt.ParamGroups[0].LearningRate, opt.ParamGroups[0].WeightDecay));
        Assert.Equal((0.1f, 0f), (opt.ParamGroups[1].LearningRate, opt.ParamGroups[1].WeightDecay));
        Assert.Equal(0.5f, opt.LearningRate);
        Assert.Equal(ps, opt.Parameters);
        opt.LearningRate = 0.2f;
        Assert.All(opt.ParamGroups, g => Assert.Equal(0.2f, g.LearningRate));
    }

    [Fact]
    public void Bad_groups_are_refused_with_the_reason()
    {
        var ps = Parameters();
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => new SGD([new ParameterGroup(ps), new ParameterGroup([ps[1]])], 0.1f)).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => new Adam(Array.Empty<ParameterGroup>())).Message);
        var group = new ParameterGroup(ps);
        _ = new Adam([group]);
        Assert.Contains("already belongs", Assert.Throws<ArgumentException>(() => new Adam([group])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParameterGroup(ps, lr: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => group.WeightDecay = float.NaN);
        Assert.Throws<InvalidOperationException>(() => new ParameterGroup(ps).LearningRate);
    }

    [Fact]
    public void A_state_dict_saves_each_groups_rate_decay_and_parameters_and_loading_restores_them()
    {
        var ps = Parameters();
        var opt = new Adam([new ParameterGroup([ps[0]], lr: 0.05f), new ParameterGroup([ps[1]], weightDecay: 0.02f)], lr: 0.1f);
        Run(opt, ps, 2);
        var saved = opt.StateDict().ToDictionary(kv => kv.Key, kv => Tensor.FromArray(kv.Value.ToArray(), [.. kv.Value.Shape.ToArray()]));
        Assert.Equal([0.05f], saved["param_groups.0.lr"].ToArray());
        Assert.Equal([0f], saved["param_groups.0.params"].ToArray());
        Assert.Equal([1f], saved["param_groups.1.params"].ToArray());
        Assert.Equal([0.02f], saved["param_groups.1.weight_decay"].ToArray());

        var qs = Parameters();
        var restored = new Adam([new ParameterGroup([qs[0]]), new ParameterGroup([qs[1]])], lr: 0.9f);
        restored.LoadStateDict(saved);
        Assert.Equal((0.05f, 0f), (restored.ParamGroups[0].LearningRate, restored.ParamGroups[0].WeightDecay));
        Assert.Equal((0.1f, 0.02f), (restored.ParamGroups[1].LearningRate, restored.ParamGroups[1].WeightDecay));
        Assert.Equal(2, restored.StepCount);
    }

    [Fact]
    public void Loading_a_dict_with_other_groups_fails_and_changes_nothing()
    {
        var ps = Parameters();
        var two = new Adam([new ParameterGroup([ps[0]]), new ParameterGroup([ps[1]])]);
        Run(two, ps, 1);
        var qs = Parameters();
        var one = new Adam(qs, lr: 0.7f);
        var e = Assert.Throws<ArgumentException>(() => one.LoadStateDict(two.StateDict()));
        Assert.Contains("2 parameter groups", e.Message);
        Assert.Equal(0, one.StepCount);
        Assert.Equal(0.7f, one.LearningRate);
        Assert.DoesNotContain("0.exp_avg", one.StateDict().Keys);
    }

    [Fact]
    public void A_single_group_dict_without_group_entries_still_loads_and_keeps_the_current_rates()
    {
        // The layout written before parameter groups: "step" and "{i}.{state}" only.
        var ps = Parameters();
        var original = new SGD(ps, 0.1f, momentum: 0.9f);
        Run(original, ps, 3);
        var old = original.StateDict().Where(kv => !kv.Key.StartsWith("param_groups.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => Tensor.FromArray(kv.Value.ToArray(), [.. kv.Value.Shape.ToArray()]));
        var savedParams = ps.Select(p => p.ToArray()).ToArray();
        Run(original, ps, 2);

        var qs = Parameters();
        for (int i = 0; i < qs.Length; i++) savedParams[i].CopyTo(qs[i].AsSpan());
        var restored = new SGD(qs, 0.1f, momentum: 0.9f);
        restored.LoadStateDict(old);
        Assert.Equal(0.1f, restored.LearningRate);
        Run(restored, qs, 2);
        Assert.Equal(Flatten(ps), Flatten(qs));
    }

    [Fact]
    public void DecayWeightsOnly_decays_dense_weights_but_not_biases_or_batch_norm_parameters()
    {
        var rng = new Rng(4);
        var model = new Sequential(new Dense(3, 4, rng), new BatchNorm1d(4), new ReLU(), new Dense(4, 2, rng));
        var groups = ParameterGroup.DecayWeightsOnly(model);
        var named = model.NamedParameters().ToDictionary(p => p.Name, p => p.Tensor);
        Assert.Equal([named["0.weight"], named["3.weight"]], groups[0].Parameters);
        Assert.Equal([named["0.bias"], named["1.weight"], named["1.bias"], named["3.bias"]], groups[1].Parameters);

        float lr = 0.1f, decay = 0.5f, factor = 1f - lr * decay;
        var opt = new AdamW(groups, lr, weightDecay: decay);
        var before = model.Parameters().Select(p => p.ToArray()).ToArray();
        foreach (var p in model.Parameters()) p.Grad = Tensor.Zeros(p.Shape);
        opt.Step();
        var after = model.Parameters().Select(p => p.ToArray()).ToArray();
        var names = model.NamedParameters().Select(p => p.Name).ToArray();
        for (int i = 0; i < names.Length; i++)
        {
            // With g = 0 Adam moves nothing, so only decay can change a value: p·(1 − 0.1·0.5).
            var expected = names[i].EndsWith("weight", StringComparison.Ordinal) && names[i] != "1.weight"
                ? before[i].Select(v => v * factor).ToArray()
                : before[i];
            Assert.Equal(expected, after[i]);
        }
    }
}
