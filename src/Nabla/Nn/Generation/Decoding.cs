using Nabla.Tensors;

namespace Nabla.Nn.Generation;

/// <summary>
/// Turning next-token logits into sequences: greedy decoding and beam search that stop each row at
/// its end-of-sentence token, and sampling with temperature and top-k for language models. Each
/// loop runs a <see cref="TokenDecoder"/> one position at a time, one <see cref="TensorScope"/> per step.
/// </summary>
/// <example><code>
/// model.Eval();
/// var decoder = model.StartDecoding(sourceIds, maxLength: 16);                       // encodes once, caches keys/values
/// int[][] outputs = Decoding.Greedy(decoder, startToken: 1, endToken: 2, maxLength: 16);
/// </code></example>
public static partial class Decoding
{
    /// <summary>
    /// Greedy decoding: feeds <paramref name="startToken"/>, then at every step the most likely
    /// token of each row, until the row produces <paramref name="endToken"/> or
    /// <paramref name="maxLength"/> tokens have been generated. Returns each row's tokens, without
    /// the start and end tokens. Stops as soon as every row has ended.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">maxLength is below 1 or more than the decoder's positions.</exception>
    public static int[][] Greedy(TokenDecoder decoder, int startToken, int endToken, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        CheckLength(decoder, maxLength, 0);
        int rows = decoder.Batch, v = decoder.VocabularySize;
        var output = new List<int>[rows];
        for (int r = 0; r < rows; r++) output[r] = [];
        var finished = new bool[rows];
        var tokens = new int[rows];
        Array.Fill(tokens, startToken);
        int open = rows;
        for (int step = 0; step < maxLength && open > 0; step++)
        {
            using var scope = TensorScope.Begin("greedy decoding step");
            var logits = decoder.Step(tokens).AsReadOnlySpan();
            for (int r = 0; r < rows; r++)
            {
                if (finished[r])
                {
                    tokens[r] = endToken;
                    continue;
                }
                int next = ArgMax(logits.Slice(r * v, v));
                tokens[r] = next;
                if (next == endToken)
                {
                    finished[r] = true;
                    open--;
                }
                else output[r].Add(next);
            }
        }
        return Array.ConvertAll(output, o => o.ToArray());
    }

    /// <summary>
    /// Samples <paramref name="maxNewTokens"/> tokens per row after <paramref name="prompt"/> (fed to
    /// every row; its first token is usually the start token): at each step the logits are divided by
    /// <paramref name="temperature"/>, all but the <paramref name="topK"/> largest are dropped (0 keeps
    /// all), and the next token is drawn from the softmax with <paramref name="rng"/>. A row stops at
    /// <paramref name="endToken"/> (not included). Returns the generated tokens without the prompt.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty, longer than the decoder allows, or the temperature is not positive.</exception>
    public static int[][] Sample(TokenDecoder decoder, ReadOnlySpan<int> prompt, int maxNewTokens, Rng rng, double temperature = 1,
        int topK = 0, int? endToken = null)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(rng);
        if (prompt.IsEmpty) throw new ArgumentException("Decoding.Sample: the prompt needs at least one token (the start token)", nameof(prompt));
        if (!(temperature > 0f) || float.IsInfinity((float)temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), $"Decoding.Sample: temperature must be a positive number, got {temperature} (use Greedy for the most likely tokens)");
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNewTokens, 0);
        if (prompt.Length + maxNewTokens - 1 > decoder.MaxLength - decoder.Length)
            throw new ArgumentException(
                $"Decoding.Sample: a prompt of {prompt.Length} tokens plus {maxNewTokens} new ones needs {prompt.Length + maxNewTokens - 1} positions, the decoder has {decoder.MaxLength - decoder.Length} left", nameof(prompt));
        int rows = decoder.Batch, v = decoder.VocabularySize;
        var tokens = new int[rows];
        for (int i = 0; i < prompt.Length - 1; i++)
        {
            Array.Fill(tokens, prompt[i]);
            using (TensorScope.Begin("prompt step")) decoder.Step(tokens);
        }
        Array.Fill(tokens, prompt[^1]);
        var output = new List<int>[rows];
        for (int r = 0; r < rows; r++) output[r] = [];
        var finished = new bool[rows];
        var scratch = new double[v];
        var order = new float[v];
        int open = rows;
        for (int step = 0; step < maxNewTokens && open > 0; step++)
        {
            using var scope = TensorScope.Begin("sampling step");
            var logits = decoder.Step(tokens).AsReadOnlySpan();
            for (int r = 0; r < rows; r++)
            {
                if (finished[r]) continue;
                int next = Draw(logits.Slice(r * v, v), (float)temperature, topK, rng, scratch, order);
                tokens[r] = next;
                if (next == endToken)
                {
                    finished[r] = true;
                    open--;
                }
                else output[r].Add(next);
            }
            if (step + 1 < maxNewTokens)
                for (int r = 0; r < rows; r++)
                    if (finished[r]) tokens[r] = endToken ?? 0;
        }
        return Array.ConvertAll(output, o => o.ToArray());
    }

    internal static void CheckLength(TokenDecoder decoder, int maxLength, int alreadyFed)
    {
        if (maxLength < 1 || maxLength > decoder.MaxLength - decoder.Length - alreadyFed)
            throw new ArgumentOutOfRangeException(nameof(maxLength),
                $"decoding {maxLength} tokens needs between 1 and {decoder.MaxLength - decoder.Length - alreadyFed} positions, the decoder's room");
    }

    internal static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++)
            if (x[i] > x[best]) best = i;
        return best;
    }

    // softmax(top-k(x / T)) and one draw from it; the threshold is the k-th largest logit (ties kept).
    private static int Draw(ReadOnlySpan<float> logits, float temperature, int topK, Rng rng, double[] p, float[] order)
    {
        int v = logits.Length;
        float threshold = float.NegativeInfinity;
        if (topK > 0 && topK < v)
        {
            logits.CopyTo(order);
            Array.Sort(order);
            threshold = order[v - topK];
        }
        double max = double.NegativeInfinity;
        for (int i = 0; i < v; i++)
            if (logits[i] >= threshold) max = Math.Max(max, logits[i] / (double)temperature);
        double sum = 0;
        for (int i = 0; i < v; i++)
        {
            p[i] = logits[i] >= threshold ? Math.Exp(logits[i] / (double)temperature - max) : 0;
            sum += p[i];
        }
        double u = rng.NextDouble() * sum, acc = 0;
        int last = 0;
        for (int i = 0; i < v; i++)
        {
            if (p[i] == 0) continue;
            acc += p[i];
            last = i;
            if (u < acc) return i;
        }
        return last;
    }
}
