using Nabla.Optim;
using Nabla.Optim.Schedules;
using Nabla.Tensors;

namespace Nabla.Tests.Optim.Schedules;

/// <summary>
/// Learning-rate sequences against their formulas and, for StepLR, ExponentialLR,
/// CosineAnnealingLR and ReduceLROnPlateau, PyTorch 1.13.1's values printed by
/// ../reference/make_optim_reference.py (SGD with lr = 1).
/// </summary>
public class ScheduleTests
{
    private static SGD Optimizer(float lr = 1f) => new([Tensor.Zeros(1)], lr);

    private static float[] Sequence(LearningRateSchedule s, int epochs)
    {
        var result = new float[epochs];
        for (int e = 0; e < epochs; e++)
        {
            result[e] = (float)s.Optimizer.LearningRate;
            s.Step();
        }
        return result;
    }

    private static void Close(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6, $"epoch {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void StepLR_matches_pytorch() =>
        Close([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125], Sequence(new StepLR(Optimizer(), 3, 0.5f), 12));

    [Fact]
    public void ExponentialLR_matches_pytorch() =>
        Close([1, 0.9, 0.81, 0.729, 0.6561, 0.59049, 0.531441, 0.4782969, 0.43046721, 0.38742049, 0.34867844, 0.31381060],
            Sequence(new ExponentialLR(Optimizer(), 0.9f), 12));

    [Fact]
    public void CosineAnnealingLR_matches_pytorch_including_the_rise_after_tmax() =>
        Close([1, 0.91405765, 0.68905765, 0.41094235, 0.18594235, 0.1, 0.18594235, 0.41094235, 0.68905765, 0.91405765, 1, 0.91405765],
            Sequence(new CosineAnnealingLR(Optimizer(), 5, 0.1f), 12));

    [Fact]
    public void LinearDecay_interpolates_to_the_final_rate_then_stays()
    {
        var expected = Enumerable.Range(0, 8).Select(t => t <= 4 ? (1 - t / 4.0) * 0.5 + t / 4.0 * 0.01 : 0.01).ToArray();
        Close(expected, Sequence(new LinearDecay(Optimizer(0.5f), 4, 0.01f), 8));
    }

    [Fact]
    public void LinearWarmup_ramps_then_hands_over_to_the_inner_schedule()
    {
        var opt = Optimizer(0.8f);
        var warm = new LinearWarmup(opt, 4, new StepLR(opt, 2, 0.5f));
        Close([0.2, 0.4, 0.6, 0.8, 0.8, 0.8, 0.4, 0.4, 0.2], Sequence(warm, 9));
        Close([0.5, 1, 1, 1], Sequence(new LinearWarmup(Optimizer(1f), 2), 4));
    }

    [Fact]
    public void ReduceLROnPlateau_in_min_mode_with_cooldown_and_floor_matches_pytorch()
    {
        var opt = Optimizer();
        var s = new ReduceLROnPlateau(opt, PlateauMode.Min, factor: 0.5f, patience: 2, cooldown: 1, minLr: 0.1f);
        double[] metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85];
        var lrs = new float[metrics.Length];
        for (int e = 0; e < metrics.Length; e++)
        {
            lrs[e] = (float)opt.LearningRate;
            s.Step(metrics[e]);
        }
        Close([1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125], lrs);
        for (int e = 0; e < 20; e++) s.Step(0.85);
        Assert.Equal(0.1f, opt.LearningRate);
    }

    [Fact]
    public void ReduceLROnPlateau_in_max_mode_matches_pytorch()
    {
        var opt = Optimizer();
        var s = new ReduceLROnPlateau(opt, PlateauMode.Max, factor: 0.1f, patience: 1);
        double[] metrics = [0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7];
        var lrs = new float[metrics.Length];
        for (int e = 0; e < metrics.Length; e++)
        {
            lrs[e] = (float)opt.LearningRate;
            s.Step(metrics[e]);
        }
        Close([1, 1, 1, 1, 0.1, 0.1, 0.1, 0.01], lrs);
    }

    [Fact]
    public void Every_parameter_group_follows_the_schedule_from_its_own_starting_rate()
    {
        // PyTorch's base_lrs: a backbone at a tenth of the head's rate stays at a tenth.
        SGD TwoGroups() => new([new ParameterGroup([Tensor.Zeros(1)]), new ParameterGroup([Tensor.Zeros(1)], lr: 0.1f)], 1f);
        var step = new StepLR(TwoGroups(), 3, 0.5f);
        var cosine = new CosineAnnealingLR(TwoGroups(), 5, 0.01f);
        var warm = new LinearWarmup(TwoGroups(), 2);
        for (int e = 0; e < 8; e++)
        {
            Assert.Equal(step.LearningRateAt(e, 0) * 0.1, step.Optimizer.ParamGroups[1].LearningRate, 6);
            Assert.Equal(0.01 + (0.1 - 0.01) * (1 + Math.Cos(Math.PI * e / 5)) / 2, cosine.Optimizer.ParamGroups[1].LearningRate, 6);
            Assert.Equal(0.1 * Math.Min(e + 1, 2) / 2, warm.Optimizer.ParamGroups[1].LearningRate, 6);
            step.Step();
            cosine.Step();
            warm.Step();
        }
        Assert.Equal([1f, 0.1f], step.BaseLearningRates);

        var opt = TwoGroups();
        var plateau = new ReduceLROnPlateau(opt, factor: 0.5f, patience: 0, minLr: 0.08f);
        plateau.Step(1.0);
        plateau.Step(1.0);
        Assert.Equal([0.5f, 0.08f], opt.ParamGroups.Select(g => g.LearningRate));
    }

    [Fact]
    public void Invalid_schedule_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(Optimizer(), 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(Optimizer(), 5, -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(Optimizer(), factor: 1f));
        Assert.Throws<ArgumentException>(() => new LinearWarmup(Optimizer(), 2, new StepLR(Optimizer(), 2)));
    }
}
