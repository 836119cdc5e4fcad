using Nabla.Tensors;

namespace Nabla.Nn.Generation;

public static partial class Decoding
{
    /// <summary>
    /// Beam search: keeps the <paramref name="beamWidth"/> most likely partial sequences of every
    /// source row (sum of token log-probabilities), extends each by every token, keeps the best
    /// <paramref name="beamWidth"/> again. A hypothesis that produces <paramref name="endToken"/> is
    /// set aside with its score divided by length^<paramref name="lengthPenalty"/>; a row stops once
    /// it has <paramref name="beamWidth"/> finished hypotheses or after <paramref name="maxLength"/>
    /// tokens, and returns its best finished one (without start and end tokens).
    /// </summary>
    /// <param name="decoder">A session whose batch holds <paramref name="beamWidth"/> copies of each row
    /// (row b·K + j; <c>Seq2SeqTransformer.StartDecoding(…, repeat: K)</c>).</param>
    /// <param name="beamWidth">K, hypotheses kept per row.</param>
    /// <param name="startToken">First token fed.</param>
    /// <param name="endToken">End-of-sentence token.</param>
    /// <param name="maxLength">Most tokens generated per row.</param>
    /// <param name="lengthPenalty">Exponent of the length normalization (0: raw sums, which favour short outputs).</param>
    /// <exception cref="ArgumentException">The decoder's batch is not a multiple of the beam width.</exception>
    public static int[][] BeamSearch(TokenDecoder decoder, int beamWidth, int startToken, int endToken, int maxLength, double lengthPenalty = 1)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentOutOfRangeException.ThrowIfLessThan(beamWidth, 1);
        CheckLength(decoder, maxLength, 0);
        int k = beamWidth, rows = decoder.Batch, v = decoder.VocabularySize;
        if (rows % k != 0)
            throw new ArgumentException($"Decoding.BeamSearch: the decoder's batch of {rows} rows is not a multiple of the beam width {k} (start it with repeat: {k})", nameof(decoder));
        int sources = rows / k;
        var scores = new double[rows];
        var beams = new List<int>[rows];
        for (int r = 0; r < rows; r++)
        {
            beams[r] = [];
            // All copies start equal: only the first may extend, or the beam would hold K identical hypotheses.
            scores[r] = r % k == 0 ? 0 : double.NegativeInfinity;
        }
        var finished = new List<(double Score, int[] Tokens)>[sources];
        for (int b = 0; b < sources; b++) finished[b] = [];
        var done = new bool[sources];
        var tokens = new int[rows];
        Array.Fill(tokens, startToken);
        var parents = new int[rows];
        var chosen = new int[rows];
        var newScores = new double[rows];
        var candidates = new List<(double Score, int Row, int Token)>(k * v);
        var logp = new double[v];
        for (int step = 0; step < maxLength && Array.IndexOf(done, false) >= 0; step++)
        {
            using (TensorScope.Begin("beam search step"))
            {
                var logits = decoder.Step(tokens).AsReadOnlySpan();
                for (int b = 0; b < sources; b++)
                {
                    if (done[b])
                    {
                        for (int j = 0; j < k; j++) (parents[b * k + j], chosen[b * k + j], newScores[b * k + j]) = (b * k + j, endToken, double.NegativeInfinity);
                        continue;
                    }
                    candidates.Clear();
                    for (int j = 0; j < k; j++)
                    {
                        int r = b * k + j;
                        if (double.IsNegativeInfinity(scores[r])) continue;
                        LogSoftmax(logits.Slice(r * v, v), logp);
                        for (int t = 0; t < v; t++) candidates.Add((scores[r] + logp[t], r, t));
                    }
                    candidates.Sort((x, y) => y.Score.CompareTo(x.Score));
                    int kept = 0;
                    for (int c = 0; c < candidates.Count && kept < k; c++)
                    {
                        var (score, row, token) = candidates[c];
                        if (token == endToken)
                        {
                            // Only an end among the K best counts, as in the usual formulation.
                            if (c < k) finished[b].Add((Normalize(score, beams[row].Count + 1, (float)lengthPenalty), [.. beams[row]]));
                            continue;
                        }
                        int slot = b * k + kept++;
                        (parents[slot], chosen[slot], newScores[slot]) = (row, token, score);
                    }
                    for (; kept < k; kept++) (parents[b * k + kept], chosen[b * k + kept], newScores[b * k + kept]) = (b * k, endToken, double.NegativeInfinity);
                    if (finished[b].Count >= k) done[b] = true;
                }
            }
            var next = new List<int>[rows];
            for (int r = 0; r < rows; r++)
            {
                next[r] = [.. beams[parents[r]]];
                if (!double.IsNegativeInfinity(newScores[r])) next[r].Add(chosen[r]);
            }
            beams = next;
            Array.Copy(newScores, scores, rows);
            Array.Copy(chosen, tokens, rows);
            if (step + 1 < maxLength) decoder.Reorder(parents);
        }
        var result = new int[sources][];
        for (int b = 0; b < sources; b++)
        {
            if (!done[b])
                for (int j = 0; j < k; j++)
                    if (!double.IsNegativeInfinity(scores[b * k + j]))
                        finished[b].Add((Normalize(scores[b * k + j], beams[b * k + j].Count, (float)lengthPenalty), [.. beams[b * k + j]]));
            result[b] = finished[b].Count == 0 ? [] : finished[b].MaxBy(f => f.Score).Tokens;
        }
        return result;
    }

    private static double Normalize(double score, int length, float lengthPenalty) => score / Math.Pow(Math.Max(1, length), lengthPenalty);

    private static void LogSoftmax(ReadOnlySpan<float> x, double[] y)
    {
        double max = double.NegativeInfinity;
        foreach (float f in x) max = Math.Max(max, f);
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += Math.Exp(x[i] - max);
        double log = max + Math.Log(sum);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] - log;
    }
}
