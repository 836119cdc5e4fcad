using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class TruncatedBpttTests
{
    [Fact]
    public void Chunks_carry_the_state_so_the_forward_pass_equals_the_full_streams()
    {
        var rng = new Rng(8);
        var lstm = new LSTM(3, 5, rng, numLayers: 2, bidirectional: false);
        var x = Tensor.Randn(new Shape(2, 12, 3), rng);
        var full = lstm.Forward(x, null);
        var tbptt = new TruncatedBptt(lstm);
        var pieces = new List<float[]>();
        var starts = new List<int>();
        tbptt.Run(x, 5, (chunk, list, start) =>
        {
            list.Add(chunk.Output.ToArray());
            starts.Add(start);
        }, pieces);
        Assert.Equal([0, 5, 10], starts);
        var expected = full.Output.ToArray();
        for (int r = 0; r < 2; r++)
            for (int t = 0; t < 12; t++)
            {
                int c = t / 5, len = c < 2 ? 5 : 2, local = t % 5;
                for (int j = 0; j < 5; j++)
                    Assert.Equal(expected[(r * 12 + t) * 5 + j], pieces[c][(r * len + local) * 5 + j], 1e-6f);
            }
        // Equal up to rounding: a short chunk's input projection may take another GEMM path.
        Assert.All(full.State.H.ToArray().Zip(tbptt.State!.H.ToArray()), p => Assert.Equal(p.First, p.Second, 1e-6f));
        Assert.All(full.State.C!.ToArray().Zip(tbptt.State.C!.ToArray()), p => Assert.Equal(p.First, p.Second, 1e-6f));
        tbptt.Reset();
        Assert.Null(tbptt.State);
    }

    [Fact]
    public void Gradients_stop_at_the_chunk_boundary()
    {
        var rng = new Rng(9);
        var gru = new GRU(2, 4, rng);
        var x = Tensor.Randn(new Shape(1, 8, 2), rng).RequireGrad();

        // Full BPTT: a loss on the second half reaches the first half's inputs.
        gru.Forward(x, null).Output.Narrow(1, 4, 4).Sum().Backward();
        var fullGrad = x.Grad!.ToArray();
        Assert.Contains(fullGrad.Take(8), g => MathF.Abs(g) > 1e-4f);
        x.Grad = null;

        var tbptt = new TruncatedBptt(gru);
        _ = tbptt.Forward(x.Narrow(1, 0, 4).Contiguous());
        tbptt.Forward(x.Narrow(1, 4, 4).Contiguous()).Output.Sum().Backward();
        var cut = x.Grad!.ToArray();
        Assert.All(cut.Take(8), g => Assert.Equal(0f, g));
        Assert.Contains(cut.Skip(8), g => MathF.Abs(g) > 1e-4f);
    }

    [Fact]
    public void Truncated_training_learns_to_echo_the_input_one_step_late_across_chunk_boundaries()
    {
        // Target at t is the sign of the input at t − 1: the state carried over each boundary must hold it.
        var rng = new Rng(12);
        var model = new LSTM(1, 8, rng);
        var head = new Dense(8, 2, rng);
        var parameters = model.Parameters().Concat(head.Parameters()).ToList();
        var adam = new Adam(parameters, 0.02f);
        var ce = new CrossEntropyLoss();
        var tbptt = new TruncatedBptt(model);
        var stream = Tensor.Zeros(4, 400, 1);
        var targets = Tensor.Zeros(4, 400);
        for (int r = 0; r < 4; r++)
            for (int t = 0; t < 400; t++)
            {
                stream[r, t, 0] = rng.NextFloat() < 0.5f ? -1f : 1f;
                targets[r, t] = t == 0 ? 0f : stream[r, t - 1, 0] > 0 ? 1f : 0f;
            }
        int correct = 0, counted = 0;
        for (int epoch = 0; epoch < 3; epoch++)
        {
            tbptt.Reset();
            tbptt.Run(stream, 7, (chunk, data, start) =>
            {
                int k = chunk.Output.Shape[1];
                var logits = head.Forward(chunk.Output.Reshape(-1, 8));
                var y = data.Narrow(1, start, k).Contiguous().Reshape(-1);
                ce.Forward(logits, y).Backward();
                adam.Step();
                adam.ZeroGrad();
                if (epoch < 2 || start % 7 != 0) return;
                // Last epoch: the first step of every chunk depends only on the carried state.
                for (int r = 0; r < 4; r++)
                {
                    int predicted = logits[r * k, 1] > logits[r * k, 0] ? 1 : 0;
                    if (start > 0 && predicted == (int)y[r * k]) correct++;
                    if (start > 0) counted++;
                }
            }, targets);
        }
        Assert.True(correct >= 0.95 * counted, $"{correct} of {counted} chunk-initial steps right");
    }
}
