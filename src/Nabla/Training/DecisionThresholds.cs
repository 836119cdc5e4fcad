using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Decision thresholds θ for binary (one output) and multi-label (one output per label) models:
/// label j is predicted when <c>score[j] ≥ θ[j]</c>. <see cref="Tune"/> picks θ on validation data to
/// maximise F1 = 2TP/(2TP+FP+FN); θ is in the model's output units (probabilities, or logits).
/// </summary>
public sealed class DecisionThresholds
{
    private readonly float[] _values;

    /// <summary>Thresholds for each label (one value for a binary task).</summary>
    public DecisionThresholds(params float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0) throw new ArgumentException("at least one threshold is needed", nameof(values));
        foreach (var v in values) if (float.IsNaN(v)) throw new ArgumentException("a threshold is NaN", nameof(values));
        _values = (float[])values.Clone();
    }

    /// <summary>θ per label.</summary>
    public IReadOnlyList<float> Values => _values;

    /// <summary>
    /// Tunes θ on validation <paramref name="scores"/> <c>[N]</c> / <c>[N, L]</c> and 0/1
    /// <paramref name="targets"/> of the same size: one θ per label when <paramref name="perLabel"/>,
    /// else one shared θ maximising micro F1. With <paramref name="minPositives"/> &gt; 1, a label with
    /// fewer positives than that in these data gets the shared θ instead of its own: a θ fitted to one
    /// or two examples (a label absent from the validation rows would never be predicted again) costs
    /// more on new data than it gains here.
    /// </summary>
    /// <exception cref="ShapeMismatchException">Scores and targets differ in size.</exception>
    public static DecisionThresholds Tune(Tensor scores, Tensor targets, bool perLabel = true, int minPositives = 1)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(targets);
        if (scores.Numel != targets.Numel || scores.Rank == 0 || scores.Rank > 2)
            throw new ShapeMismatchException($"threshold tuning needs scores [N] or [N, L] and targets of the same size, got {scores.Shape} and {targets.Shape}");
        int n = scores.Shape[0], labels = scores.Rank == 2 ? scores.Shape[1] : 1;
        var s = scores.ToArray();
        var t = targets.ToArray();
        if (!perLabel || labels == 1) return new DecisionThresholds(BestF1Threshold(s, t, out _));
        var values = new float[labels];
        var col = new float[n];
        var colT = new float[n];
        float shared = minPositives > 1 ? BestF1Threshold(s, t, out _) : float.NaN;
        for (int j = 0; j < labels; j++)
        {
            int positives = 0;
            for (int i = 0; i < n; i++)
            {
                (col[i], colT[i]) = (s[i * labels + j], t[i * labels + j]);
                if (colT[i] >= 0.5f) positives++;
            }
            values[j] = minPositives > 1 && positives < minPositives ? shared : BestF1Threshold(col, colT, out _);
        }
        return new DecisionThresholds(values);
    }

    /// <summary>
    /// The θ maximising F1 of <c>score ≥ θ</c> against 0/1 <paramref name="labels"/> (values ≥ 0.5 are
    /// positive): every cut between distinct sorted scores is tried (θ is the midpoint, so the
    /// choice is robust), which includes the cut any fixed θ such as 0.5 makes, so the result is
    /// never worse than it on these data. Without positives θ is above every score.
    /// </summary>
    public static float BestF1Threshold(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, out double f1)
    {
        if (scores.Length != labels.Length) throw new ShapeMismatchException($"{scores.Length} scores but {labels.Length} labels");
        int n = scores.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var s = scores.ToArray();
        Array.Sort(order, (a, b) => s[b].CompareTo(s[a])); // descending
        int positives = 0;
        foreach (var l in labels) if (l >= 0.5f) positives++;
        f1 = 0;
        float best = n == 0 ? 0.5f : NextUp(s[order[0]]);
        int tp = 0;
        for (int k = 1; k <= n; k++)
        {
            if (labels[order[k - 1]] >= 0.5f) tp++;
            // Only cut where the next score differs: tied scores fall on the same side of any θ.
            if (k < n && s[order[k]] == s[order[k - 1]]) continue;
            double f = positives == 0 ? 0 : 2.0 * tp / (k + positives);
            if (f > f1)
            {
                f1 = f;
                best = k < n ? (s[order[k - 1]] + s[order[k]]) / 2 : s[order[n - 1]];
                // Guard against the midpoint rounding onto the lower score.
                if (k < n && best <= s[order[k]]) best = s[order[k - 1]];
            }
        }
        return best;
    }

    private static float NextUp(float v) => MathF.BitIncrement(v);

    /// <summary>0/1 predictions <c>score ≥ θ</c> with the same shape as <paramref name="scores"/> (θ broadcast across rows).</summary>
    /// <exception cref="ShapeMismatchException">The scores' label count differs from the number of thresholds.</exception>
    public Tensor Apply(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        int labels = scores.Rank == 2 ? scores.Shape[1] : 1;
        if (labels != _values.Length && _values.Length != 1)
            throw new ShapeMismatchException($"{_values.Length} thresholds cannot apply to scores {scores.Shape}");
        var s = scores.ToArray();
        for (int i = 0; i < s.Length; i++) s[i] = s[i] >= _values[_values.Length == 1 ? 0 : i % labels] ? 1f : 0f;
        return Tensor.FromArray(s, scores.Shape.ToArray());
    }
}
