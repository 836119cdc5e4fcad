using Nabla.Autograd;
using Nabla.Data.Text;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Nn.Losses;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// Token-id rows of a sequence-to-sequence data set and the tensors a step needs: source ids, the
/// decoder's input (start token + target) and the expected output (target + end token, padding marked
/// with the loss's ignore index so it counts neither in the loss nor in the token accuracy).
/// </summary>
/// <param name="Sources">Source ids per row (no special tokens).</param>
/// <param name="Targets">Target ids per row (no special tokens).</param>
internal sealed record Seq2SeqBatches(int[][] Sources, int[][] Targets)
{
    /// <summary>The tensors of the rows <paramref name="rows"/>, each padded to the batch's longest row.</summary>
    public (Tensor Source, Tensor TargetIn, Tensor TargetOut) Make(ReadOnlySpan<int> rows)
    {
        int ls = 1, lt = 1;
        foreach (int r in rows)
        {
            ls = Math.Max(ls, Sources[r].Length);
            lt = Math.Max(lt, Targets[r].Length + 1);
        }
        float[] s = new float[rows.Length * ls], i = new float[rows.Length * lt], o = new float[rows.Length * lt];
        o.AsSpan().Fill(CrossEntropyLoss.DefaultIgnoreIndex);
        for (int b = 0; b < rows.Length; b++)
        {
            var source = Sources[rows[b]];
            var target = Targets[rows[b]];
            for (int k = 0; k < source.Length; k++) s[b * ls + k] = source[k];
            i[b * lt] = SequenceVocabulary.Start;
            for (int k = 0; k < target.Length; k++)
            {
                i[b * lt + k + 1] = target[k];
                o[b * lt + k] = target[k];
            }
            o[b * lt + target.Length] = SequenceVocabulary.End;
        }
        return (Tensor.FromArray(s, rows.Length, ls), Tensor.FromArray(i, rows.Length, lt), Tensor.FromArray(o, rows.Length, lt));
    }

    /// <summary>Source ids of the rows <paramref name="rows"/> as [rows, longest] (for decoding).</summary>
    public Tensor SourceIds(ReadOnlySpan<int> rows) => Make(rows).Source;

    /// <summary>
    /// Teacher-forced loss and token accuracy of the rows <paramref name="rows"/> in batches (no gradients,
    /// evaluation mode); the loss is the mean over real target tokens.
    /// </summary>
    public (double Loss, double TokenAccuracy) Evaluate(Seq2SeqTransformer model, ReadOnlySpan<int> rows, int batchSize)
    {
        bool training = model.IsTraining;
        model.Eval();
        var loss = new CrossEntropyLoss(reduction: Reduction.Sum);
        double sum = 0;
        long tokens = 0, right = 0;
        using (GradMode.NoGrad())
            for (int b = 0; b < rows.Length; b += batchSize)
            {
                using var scope = TensorScope.Begin("seq2seq evaluation");
                var part = rows.Slice(b, Math.Min(batchSize, rows.Length - b));
                var (src, tin, tout) = Make(part);
                var logits = model.Forward(src, tin).Reshape(-1, model.TargetVocabulary);
                var expected = tout.Reshape(-1);
                sum += loss.Forward(logits, expected).Item();
                var (n, k) = Count(logits, expected);
                tokens += n;
                right += k;
            }
        model.Train(training);
        return (tokens == 0 ? double.NaN : sum / tokens, tokens == 0 ? double.NaN : right / (double)tokens);
    }

    /// <summary>Real target tokens in <paramref name="expected"/> [n] and how many of them the logits [n, V] rank first.</summary>
    public static (long Tokens, long Right) Count(Tensor logits, Tensor expected)
    {
        int v = logits.Shape[-1];
        var l = logits.AsReadOnlySpan();
        var e = expected.AsReadOnlySpan();
        long tokens = 0, right = 0;
        for (int i = 0; i < e.Length; i++)
        {
            if (e[i] == CrossEntropyLoss.DefaultIgnoreIndex) continue;
            tokens++;
            if (ArgMax(l.Slice(i * v, v)) == (int)e[i]) right++;
        }
        return (tokens, right);
    }

    private static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
            if (x[i] > x[best]) best = i;
        return best;
    }
}
