using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

/// <summary>
/// Decoding: the key/value cache gives the same logits and tokens as rerunning the prefix, greedy and
/// beam search stop each row at its end token, beam search finds what greedy misses, sampling
/// follows temperature and top-k, and bad input gets clear messages.
/// </summary>
public class GenerationTests
{
    private const int Start = 1, End = 2, Pad = 0;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Seq2seq_decoding_with_the_cache_gives_the_logits_of_rerunning_the_prefix(bool normFirst)
    {
        var model = Seq2Seq(normFirst);
        var source = Tensor.FromArray([3f, 4f, 5f, 6f, 7f, 5f, 9f, 3f, Pad, Pad], 2, 5);
        var cached = model.StartDecoding(source, maxLength: 12, useCache: true);
        var plain = model.StartDecoding(source, maxLength: 12, useCache: false);
        var tokens = new[] { Start, Start };
        for (int step = 0; step < 12; step++)
        {
            using var scope = TensorScope.Begin();
            var a = cached.Step(tokens).ToArray();
            var b = plain.Step(tokens).ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 2e-5 * (1 + Math.Abs(b[i])));
            // Continue with each row's most likely token so the test walks the sequences decoding would.
            for (int r = 0; r < 2; r++) tokens[r] = Decoding.ArgMax(a.AsSpan(r * 11, 11));
        }
    }

    [Fact]
    public void Greedy_and_beam_search_give_the_same_tokens_with_and_without_the_cache()
    {
        var model = Seq2Seq(normFirst: false);
        var source = Tensor.FromArray([3f, 4f, 5f, 6f, 7f, 5f, 9f, 3f, Pad, Pad], 2, 5);
        var greedyCached = Decoding.Greedy(model.StartDecoding(source, 10), Start, End, 10);
        var greedyPlain = Decoding.Greedy(model.StartDecoding(source, 10, useCache: false), Start, End, 10);
        Assert.Equal(greedyPlain, greedyCached);
        var beamCached = Decoding.BeamSearch(model.StartDecoding(source, 10, repeat: 3), 3, Start, End, 10);
        var beamPlain = Decoding.BeamSearch(model.StartDecoding(source, 10, useCache: false, repeat: 3), 3, Start, End, 10);
        Assert.Equal(beamPlain, beamCached);
        // A beam of one is greedy decoding.
        Assert.Equal(greedyCached, Decoding.BeamSearch(model.StartDecoding(source, 10, repeat: 1), 1, Start, End, 10));
    }

    [Fact]
    public void Language_model_decoding_with_the_cache_gives_the_logits_of_rerunning_the_prefix()
    {
        var rng = new Rng(3);
        var lm = new TransformerLanguageModel(9, 8, 2, 2, rng, (n, d) => new Embedding(n, d, rng), dimFeedforward: 16, maxLength: 32);
        lm.Eval();
        var cached = lm.StartDecoding(3, 20);
        var plain = lm.StartDecoding(3, 20, useCache: false);
        var tokens = new[] { Start, 4, 7 };
        var fed = new float[3 * 20];
        float[] last = [];
        for (int step = 0; step < 20; step++)
        {
            using var scope = TensorScope.Begin();
            for (int r = 0; r < 3; r++) fed[r * 20 + step] = tokens[r];
            var a = cached.Step(tokens).ToArray();
            var b = plain.Step(tokens).ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 2e-5 * (1 + Math.Abs(b[i])));
            for (int r = 0; r < 3; r++) tokens[r] = (tokens[r] * 5 + step) % 9;
            last = a;
        }
        // The last step's logits equal those of one forward pass over the whole sequence.
        Tensor full;
        using (GradMode.NoGrad()) full = lm.Forward(Tensor.FromArray(fed, 3, 20));
        for (int r = 0; r < 3; r++)
            for (int t = 0; t < 9; t++) Assert.Equal(full[r, 19, t], last[r * 9 + t], 2e-5 * (1 + Math.Abs(full[r, 19, t])));
        var samples = Decoding.Sample(lm.StartDecoding(2, 20), [Start, 5, 6], 10, new Rng(1), temperature: 0.8f, topK: 4);
        var again = Decoding.Sample(lm.StartDecoding(2, 20, useCache: false), [Start, 5, 6], 10, new Rng(1), temperature: 0.8f, topK: 4);
        Assert.Equal(samples, again);
    }

    [Fact]
    public void Greedy_stops_each_row_at_its_end_token_and_stops_stepping_when_all_have_ended()
    {
        // Row r emits tokens 3, 3, …, then End after r + 1 tokens.
        var table = new TableDecoder(3, 5, 20, (row, history) => history.Count - 1 == row + 1 ? End : 3);
        var output = Decoding.Greedy(table, Start, End, maxLength: 20);
        Assert.Equal([[3], [3, 3], [3, 3, 3]], output);
        Assert.Equal(4, table.Length);   // the last row ended at its 4th step; no step after
        var capped = Decoding.Greedy(new TableDecoder(1, 5, 20, (_, _) => 3), Start, End, maxLength: 6);
        Assert.Equal([[3, 3, 3, 3, 3, 3]], capped);
    }

    [Fact]
    public void Beam_search_finds_the_more_likely_sequence_that_greedy_misses()
    {
        // After the start: A (p 0.55) or B (0.45). After A every token is equally likely (0.25 each,
        // End included); after B, End has p 0.9. Greedy takes A; the best sequence is B End (0.405).
        const int a = 3, b = 4;
        float[] Probabilities(IReadOnlyList<int> history) => history[^1] switch
        {
            Start => [0f, 0f, 0f, 0.55f, 0.45f],
            a => [0.25f, 0.25f, 0.25f, 0.25f, 0f],
            b => [0.025f, 0.025f, 0.9f, 0.025f, 0.025f],
            _ => [0f, 0f, 1f, 0f, 0f],
        };
        var greedy = Decoding.Greedy(new TableDecoder(1, 5, 8, Probabilities), Start, End, 6);
        Assert.Equal(a, greedy[0][0]);
        var beam = Decoding.BeamSearch(new TableDecoder(2, 5, 8, Probabilities), 2, Start, End, 6, lengthPenalty: 0f);
        Assert.Equal([[b]], beam);
    }

    [Fact]
    public void Sampling_follows_the_temperature_and_keeps_only_the_top_k_tokens()
    {
        float[] logits = [0f, 0f, 1f, 2f, 3f];
        var rng = new Rng(5);
        var counts = new int[5];
        var hot = Decoding.Sample(new TableDecoder(4000, 5, 2, logits), [Start], 1, rng, temperature: 2f);
        foreach (var row in hot) counts[row[0]]++;
        var expected = logits.Select(l => Math.Exp(l / 2.0)).ToArray();
        double z = expected.Sum();
        for (int t = 0; t < 5; t++) Assert.Equal(expected[t] / z, counts[t] / 4000.0, 0.025);
        var top2 = Decoding.Sample(new TableDecoder(2000, 5, 2, logits), [Start], 1, rng, topK: 2);
        Assert.All(top2, row => Assert.Contains(row[0], new[] { 3, 4 }));
        double fourShare = top2.Count(row => row[0] == 4) / 2000.0;
        Assert.Equal(Math.E / (1 + Math.E), fourShare, 0.03);
        var greedyLike = Decoding.Sample(new TableDecoder(10, 5, 2, logits), [Start], 1, rng, topK: 1);
        Assert.All(greedyLike, row => Assert.Equal([4], row));
    }

    [Fact]
    public void Bad_input_at_generation_time_gets_clear_messages()
    {
        var model = Seq2Seq(normFirst: false);
        var source = Tensor.FromArray([3f, 4f, 5f], 1, 3);
        var decoder = model.StartDecoding(source, 4);
        var unknown = Assert.Throws<ArgumentException>(() => decoder.Step([11]));
        Assert.Contains("token 11 of row 0 is outside the vocabulary of 11 tokens (0..10)", unknown.Message);
        var tooLong = Assert.Throws<ArgumentOutOfRangeException>(() => model.StartDecoding(source, 100));
        Assert.Contains("decoding 100 positions exceeds the positional table of 32 positions", tooLong.Message);
        var longSource = Assert.Throws<ShapeMismatchException>(() => model.StartDecoding(Tensor.Ones(1, 40), 4));
        Assert.Contains("positions 0..39 of input [1, 40, 8] exceed its table of 32 positions", longSource.Message);
        for (int i = 0; i < 4; i++) decoder.Step([Start]);
        var past = Assert.Throws<InvalidOperationException>(() => decoder.Step([Start]));
        Assert.Contains("past its maximum length of 4 positions", past.Message);
        var lm = new TransformerLanguageModel(9, 8, 2, 1, new Rng(1), (n, d) => new Embedding(n, d, new Rng(2)), maxLength: 8);
        var prompt = Assert.Throws<ArgumentException>(() => Decoding.Sample(lm.StartDecoding(1, 8), [1, 2, 3, 4, 5, 6], 5, new Rng(1)));
        Assert.Contains("a prompt of 6 tokens plus 5 new ones needs 10 positions, the decoder has 8 left", prompt.Message);
        var cache = KeyValueCache.Growing(2);
        var mha = new MultiheadAttention(8, 2, new Rng(1));
        using (GradMode.NoGrad())
        {
            var x = Tensor.Zeros(1, 3, 8);
            var full = Assert.Throws<InvalidOperationException>(() => mha.Forward(x, x, x, cache: cache));
            Assert.Contains("appending 3 position(s) to 0 cached exceeds its capacity of 2 positions", full.Message);
        }
        var recording = Assert.Throws<InvalidOperationException>(() => mha.Forward(Tensor.Zeros(1, 1, 8), Tensor.Zeros(1, 1, 8), Tensor.Zeros(1, 1, 8), cache: cache));
        Assert.Contains("decode under GradMode.NoGrad()", recording.Message);
    }

    private static Seq2SeqTransformer Seq2Seq(bool normFirst)
    {
        var rng = new Rng(7);
        var model = new Seq2SeqTransformer(10, 11, 8, 2, rng, (n, d) => new Embedding(n, d, rng), numEncoderLayers: 2, numDecoderLayers: 2,
            dimFeedforward: 16, maxLength: 32, paddingToken: Pad, normFirst: normFirst);
        model.Eval();
        return model;
    }

    /// <summary>A decoder whose next-token distribution is a function of each row's history (probabilities, or fixed logits).</summary>
    private sealed class TableDecoder : TokenDecoder
    {
        private readonly Func<int, IReadOnlyList<int>, float[]> _probabilities;
        private readonly List<int>[] _history;

        public TableDecoder(int batch, int vocabulary, int maxLength, Func<IReadOnlyList<int>, float[]> probabilities)
            : this(batch, vocabulary, maxLength, (_, h) => probabilities(h)) { }

        public TableDecoder(int batch, int vocabulary, int maxLength, Func<int, IReadOnlyList<int>, int> next)
            : this(batch, vocabulary, maxLength, (r, h) => OneHot(vocabulary, next(r, h))) { }

        public TableDecoder(int batch, int vocabulary, int maxLength, float[] logits)
            : base(batch, vocabulary, maxLength)
        {
            _history = Histories(batch);
            _probabilities = (_, _) => logits.Select(l => MathF.Exp(l)).ToArray();
        }

        private TableDecoder(int batch, int vocabulary, int maxLength, Func<int, IReadOnlyList<int>, float[]> probabilities)
            : base(batch, vocabulary, maxLength)
        {
            _history = Histories(batch);
            _probabilities = probabilities;
        }

        protected override Tensor StepCore(ReadOnlySpan<int> tokens, int position)
        {
            var logits = Tensor.Zeros(Batch, VocabularySize);
            for (int r = 0; r < Batch; r++)
            {
                _history[r].Add(tokens[r]);
                var p = _probabilities(r, _history[r]);
                for (int t = 0; t < VocabularySize; t++) logits[r, t] = p[t] > 0 ? MathF.Log(p[t]) : float.NegativeInfinity;
            }
            return logits;
        }

        protected override void ReorderCore(ReadOnlySpan<int> rows)
        {
            var copy = _history.Select(h => h.ToList()).ToArray();
            for (int i = 0; i < rows.Length; i++) _history[i] = [.. copy[rows[i]]];
        }

        private static List<int>[] Histories(int batch) => Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();

        private static float[] OneHot(int n, int index)
        {
            var p = new float[n];
            p[index] = 1f;
            return p;
        }
    }
}
