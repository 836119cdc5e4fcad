using Nabla.Kernels;
using Nabla.Optim;
using Nabla.Optim.Rules;
using Nabla.Tensors;

namespace Nabla.Tests.Optim;

/// <summary>
/// The optimizer loop splits large updates of an elementwise chain (Adam's above all) across worker
/// threads; the split must not change a bit.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class AdamThreadingTests
{
    [Theory]
    [InlineData(0f, false)]
    [InlineData(0.01f, false)]
    [InlineData(0f, true)]
    [InlineData(0.01f, true)]
    public void Two_threads_update_bitwise_like_one(float weightDecay, bool amsgrad) =>
        AssertSplitChangesNothing(ps => new Adam(ps, 1e-2f, weightDecay: weightDecay, amsgrad: amsgrad));

    [Theory]
    [InlineData("sgd")]
    [InlineData("rmsprop")]
    [InlineData("adagrad")]
    [InlineData("adamw_groups")]
    [InlineData("clipnorm")]
    public void Every_chain_updates_bitwise_alike_on_one_and_two_threads(string name) =>
        AssertSplitChangesNothing(ps => name switch
        {
            "sgd" => new SGD(ps, 1e-2f, momentum: 0.9f, dampening: 0.1f, weightDecay: 0.01f),
            "rmsprop" => new RMSprop(ps, 1e-3f, momentum: 0.5f, centered: true, weightDecay: 0.01f),
            "adagrad" => new Adagrad(ps, 1e-2f, lrDecay: 0.1f, weightDecay: 0.01f),
            "adamw_groups" => new AdamW([new ParameterGroup(ps[..1], lr: 1e-3f), new ParameterGroup(ps[1..], weightDecay: 0f)], 1e-2f),
            // Not elementwise: never split, the same on any thread count.
            _ => new Optimizer(ps, 1e-2f, 0f, new ClipNorm(10f), new Momentum(0.9f)),
        });

    private static void AssertSplitChangesNothing(Func<Tensor[], Optimizer> make)
    {
        float[] Run(int threads)
        {
            int saved = WorkerPool.MaxThreads;
            WorkerPool.MaxThreads = threads;
            try
            {
                var rng = new Rng(3);
                // 70,001 + 17 + 300×257 elements: above the parallel threshold, with ragged ends.
                var ps = new[] { Tensor.Randn(new Shape(70_001), rng), Tensor.Randn(new Shape(17), rng), Tensor.Randn(new Shape(300, 257), rng) };
                foreach (var p in ps) p.RequiresGrad = true;
                var opt = make(ps);
                for (int step = 0; step < 3; step++)
                {
                    foreach (var p in ps) p.Grad = Tensor.Randn(p.Shape, rng);
                    opt.Step();
                }

                return ps.SelectMany(p => p.ToArray()).ToArray();
            }
            finally
            {
                WorkerPool.MaxThreads = saved;
            }
        }

        var one = Run(1);
        var two = Run(2);
        Assert.Equal(one, two);
    }
}
