using Nabla.Optim;
using Nabla.Optim.Rules;
using Nabla.Tensors;
using static Nabla.Tests.Optim.QuadraticProblem;

namespace Nabla.Tests.Optim;

/// <summary>
/// Parameter groups and clipping against PyTorch 1.13.1 after 5 steps on <see cref="QuadraticProblem"/>:
/// torch.optim with param_groups, and clip_grad_norm_ / clip_grad_value_ before step(); constants
/// printed by reference/make_group_reference.py.
/// </summary>
public class ChainReferenceTests
{
    private static Optimizer Make(string name, Tensor[] ps)
    {
        switch (name)
        {
            case "sgd_groups":
                return new SGD([new ParameterGroup([ps[0]]), new ParameterGroup([ps[1]], lr: 0.05f, weightDecay: 0.2f)], 0.1f, momentum: 0.9f, weightDecay: 0.01f);
            case "rmsprop_groups":
                return new RMSprop([new ParameterGroup([ps[0]], lr: 0.03f), new ParameterGroup([ps[1]], weightDecay: 0.1f)], 0.01f, momentum: 0.5f, centered: true);
            case "adam_groups":
                return new Adam([new ParameterGroup([ps[0]]), new ParameterGroup([ps[1]], lr: 0.01f, weightDecay: 0.1f)], 0.1f);
            case "adamw_groups":
                return new AdamW([new ParameterGroup([ps[0]], weightDecay: 0f), new ParameterGroup([ps[1]])], 0.1f, weightDecay: 0.1f);
            case "adam_clip_grad_norm":
                return new Optimizer(ps, 0.1f, 0f, new ClipGlobalNorm(1f), new AdamRule());
            case "adam_clip_grad_norm_hook":
                var adam = new Adam(ps, 0.1f);
                adam.BeforeStep += o => GradientClipping.ClipByNorm(o.Parameters, 1f);
                return adam;
            case "sgd_momentum_clip_grad_value":
                return new Optimizer(ps, 0.1f, 0f, new ClipValue(0.5f), new Momentum(0.9f));
            default:
                throw new ArgumentException(name);
        }
    }

    [Theory]
    [InlineData("sgd_groups", new[] { 0.27114996, 0.26874092, 0.78489578, -0.67122704, -0.20857798, 0.82452053, -1.68999970 })]
    [InlineData("rmsprop_groups", new[] { 0.17578971, -0.06411553, 1.03767741, 0.67425787, -0.05808603, 0.72861248, 0.96758676 })]
    [InlineData("adam_groups", new[] { 0.51455164, -0.51150423, 0.97218549, 1.50435817, -0.45009828, 0.29993090, 1.45002258 })]
    [InlineData("adamw_groups", new[] { 0.51455164, -0.51150423, 0.97218549, 1.50435817, -0.01533036, 0.71586162, 0.93986470 })]
    [InlineData("adam_clip_grad_norm", new[] { 0.50857055, -0.50597322, 0.97893834, 1.50053740, -0.02106160, 0.74288005, 0.99963421 })]
    [InlineData("adam_clip_grad_norm_hook", new[] { 0.50857055, -0.50597322, 0.97893834, 1.50053740, -0.02106160, 0.74288005, 0.99963421 })]
    [InlineData("sgd_momentum_clip_grad_value", new[] { 0.38252994, -0.34279495, 0.79142201, 1.34279513, -0.06706075, 0.90183747, 0.84279507 })]
    public void Five_steps_match_pytorch(string name, double[] pytorch)
    {
        var ps = Parameters();
        Run(Make(name, ps), ps, 5);
        var actual = Flatten(ps);
        for (int i = 0; i < actual.Length; i++)
            Assert.True(Math.Abs(pytorch[i] - actual[i]) <= 1e-6, $"{name} element {i}: PyTorch {pytorch[i]}, got {actual[i]}");
    }
}
