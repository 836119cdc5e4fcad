using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Data.Text;

/// <summary>
/// Trains word vectors with skip-gram and negative sampling, as word2vec does (Mikolov et al.
/// 2013): every word predicts the words around it (a window drawn per word from 1..Window) against
/// Negative samples from the unigram distribution to the power 0.75; frequent words are subsampled;
/// the learning rate decays linearly from α₀ to α₀·10⁻⁴ over the whole run; input vectors start
/// uniform in ±0.5/dim and output vectors at zero. Texts are tokenized like <see cref="Tokenizer"/>
/// (one text = one sentence, split every 1,000 words).
/// </summary>
/// <remarks>
/// <para>Threads without races: the corpus is cut into <see cref="SkipGramOptions.Shards"/> fixed
/// shards (default: one per thread). Training runs in rounds; in a round each shard trains on its
/// next <see cref="SkipGramOptions.WordsPerRound"/> words against the vectors as they were when
/// the round began, writing into private copies of the rows it touches, and then the shards'
/// changes are added to the shared vectors in shard order. The numbers therefore depend only on
/// the seed and the shard count — never on timing — and one shard is exactly word2vec's sequential
/// algorithm. (word2vec's Hogwild threads race on shared rows instead, so no two runs agree.)</para>
/// </remarks>
/// <example><code>
/// var vectors = SkipGram.Train(descriptions, new SkipGramOptions { Dimension = 100, Epochs = 5, Seed = 1 });
/// vectors.Save("vectors.txt");
/// foreach (var (word, similarity) in vectors.MostSimilar("python", 5)) Console.WriteLine($"{word} {similarity:F3}");
/// </code></example>
public static class SkipGram
{
    private const int MaxSentenceLength = 1000;

    /// <summary>Trains vectors for every word of <paramref name="texts"/> occurring at least MinCount times.</summary>
    /// <param name="texts">The corpus, one text per item.</param>
    /// <param name="options">Settings; null for word2vec's defaults.</param>
    /// <param name="epochEnd">Called after each epoch with its number (1-based) and its mean loss per pair.</param>
    /// <returns>The input vectors, words by decreasing count.</returns>
    /// <exception cref="DataFormatException">No word occurs MinCount times (the corpus is too small for the setting).</exception>
    public static WordVectors Train(IEnumerable<string> texts, SkipGramOptions? options = null, Action<int, double>? epochEnd = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        options ??= new SkipGramOptions();
        options.Validate();
        var tokenizer = new Tokenizer(options.RemoveStopWords);
        var rows = texts.Select(t => (IReadOnlyList<string>)tokenizer.Tokenize(t)).ToList();
        var vocabulary = Vocabulary.Build(rows, null, options.MinCount);
        int words = vocabulary.Count - 2;
        if (words == 0) throw new DataFormatException($"skip-gram: no word occurs at least {options.MinCount} times (SkipGramOptions.MinCount) in the {rows.Count} texts");

        // Word w of the model is vocabulary index w + 2 (padding and OOV have no vector).
        var counts = new long[words];
        var corpus = new List<int>();
        var starts = new List<int> { 0 };
        foreach (var row in rows)
        {
            int length = 0;
            foreach (var token in row)
            {
                int w = vocabulary.IndexOf(token) - 2;
                if (w < 0) continue;
                counts[w]++;
                corpus.Add(w);
                if (++length == MaxSentenceLength)
                {
                    starts.Add(corpus.Count);
                    length = 0;
                }
            }
            if (length > 0) starts.Add(corpus.Count);
        }

        var run = new Run(options, counts, [.. corpus], [.. starts]);
        run.Train(epochEnd);
        return new WordVectors(vocabulary.Tokens.Skip(2).ToList(), run.Input, options.Dimension);
    }

    private sealed class Run : IParallelWork
    {
        private readonly SkipGramOptions _options;
        private readonly int _dim;
        private readonly int[] _corpus;
        private readonly int[] _starts;
        private readonly float[] _keep;
        private readonly AliasSampler _negatives;
        private readonly Shard[] _shards;
        private readonly long _totalWords;
        private long _wordsDone;
        private bool _mergePhase;

        public readonly float[] Input;
        public readonly float[] Output;

        public Run(SkipGramOptions options, long[] counts, int[] corpus, int[] starts)
        {
            _options = options;
            _dim = options.Dimension;
            _corpus = corpus;
            _starts = starts;
            _totalWords = corpus.Length;
            int words = counts.Length;
            _keep = new float[words];
            double threshold = options.Subsample * (double)_totalWords;
            for (int w = 0; w < words; w++)
                _keep[w] = threshold <= 0 ? 1f : (float)((Math.Sqrt(counts[w] / threshold) + 1) * threshold / counts[w]);
            var weights = new double[words];
            for (int w = 0; w < words; w++) weights[w] = Math.Pow(counts[w], 0.75);
            _negatives = new AliasSampler(weights);
            Input = new float[words * _dim];
            Output = new float[words * _dim];
            var rng = new Rng(options.Seed);
            for (int i = 0; i < Input.Length; i++) Input[i] = (rng.NextFloat() - 0.5f) / _dim;

            int sentences = starts.Length - 1;
            int shards = Math.Max(1, Math.Min(options.Shards ?? WorkerPool.MaxThreads, sentences));
            _shards = new Shard[shards];
            int first = 0;
            for (int s = 0; s < shards; s++)
            {
                // Contiguous runs of sentences holding about the same number of words.
                long target = _totalWords * (s + 1) / shards;
                int last = first;
                while (last < sentences && (s == shards - 1 || starts[last + 1] <= target)) last++;
                if (last == first && first < sentences) last++;
                _shards[s] = new Shard(this, first, last, direct: shards == 1);
                first = last;
            }
        }

        public void Train(Action<int, double>? epochEnd)
        {
            for (int epoch = 0; epoch < _options.Epochs; epoch++)
            {
                for (int s = 0; s < _shards.Length; s++) _shards[s].StartEpoch(Mix(_options.Seed, epoch, s));
                while (Array.Exists(_shards, s => !s.Done))
                {
                    _mergePhase = false;
                    WorkerPool.Run(this, _shards.Length);
                    if (_shards.Length > 1)
                    {
                        _mergePhase = true;
                        WorkerPool.Run(this, _shards.Length);
                        foreach (var shard in _shards) shard.AddDeltas();
                    }
                    foreach (var shard in _shards) _wordsDone += shard.TakeRoundWords();
                }
                double loss = 0, pairs = 0;
                foreach (var shard in _shards)
                {
                    loss += shard.Loss;
                    pairs += shard.Pairs;
                }
                epochEnd?.Invoke(epoch + 1, pairs == 0 ? 0 : loss / pairs);
            }
        }

        public void Execute(int index)
        {
            if (_mergePhase) _shards[index].ToDeltas();
            else _shards[index].TrainRound();
        }

        private static ulong Mix(ulong seed, int epoch, int shard) =>
            seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch * 65_536 + shard + 1));

        // One shard's progress and, with several shards, its private copies of the rows it touches.
        private sealed class Shard(Run run, int firstSentence, int endSentence, bool direct)
        {
            private const int BlockRows = 256;
            private readonly int _dim = run._dim;
            private readonly int[] _slotOf = direct ? [] : Enumerable.Repeat(-1, run._keep.Length).ToArray();
            private readonly List<float[]> _inBlocks = [];
            private readonly List<float[]> _outBlocks = [];
            private int[] _touched = new int[256];
            private int _slots;
            private readonly float[] _inputGrad = new float[run._dim];
            private int[] _sentence = new int[MaxSentenceLength];
            private Rng _rng = new(0);
            private int _next;
            private long _roundWords;

            public bool Done => _next >= endSentence;
            public double Loss;
            public long Pairs;

            public void StartEpoch(ulong seed)
            {
                _rng = new Rng(seed);
                _next = firstSentence;
                Loss = 0;
                Pairs = 0;
            }

            public long TakeRoundWords()
            {
                long w = _roundWords;
                _roundWords = 0;
                return w;
            }

            public void TrainRound()
            {
                var o = run._options;
                int shards = run._shards.Length;
                double total = (double)o.Epochs * run._totalWords + 1;
                while (!Done && _roundWords < o.WordsPerRound)
                {
                    // Progress as word2vec's shared counter would see it: every shard moves at this pace.
                    double progress = run._wordsDone + (double)shards * _roundWords;
                    float alpha = o.LearningRate * (float)Math.Max(1e-4, 1 - progress / total);
                    int start = run._starts[_next], end = run._starts[_next + 1];
                    _next++;
                    _roundWords += end - start;
                    int length = 0;
                    for (int i = start; i < end; i++)
                    {
                        int w = run._corpus[i];
                        if (run._keep[w] >= _rng.NextFloat()) _sentence[length++] = w;
                    }
                    TrainSentence(length, alpha);
                }
            }

            private void TrainSentence(int length, float alpha)
            {
                int window = run._options.Window, negative = run._options.Negative;
                for (int pos = 0; pos < length; pos++)
                {
                    int word = _sentence[pos];
                    int b = _rng.NextInt(window);
                    for (int a = b; a < 2 * window + 1 - b; a++)
                    {
                        if (a == window) continue;
                        int c = pos - window + a;
                        if ((uint)c >= (uint)length) continue;
                        // word2vec's skip-gram: the context word's input vector scores the centre word.
                        var input = In(_sentence[c]);
                        Array.Clear(_inputGrad);
                        for (int d = 0; d <= negative; d++)
                        {
                            int target = word;
                            float label = 1f;
                            if (d > 0)
                            {
                                target = run._negatives.Sample(_rng);
                                if (target == word) continue;
                                label = 0f;
                            }
                            Loss += SkipGramKernels.Pair(input, Out(target), _inputGrad, label, alpha);
                            Pairs++;
                        }
                        Primitives.Add(input, _inputGrad, input);
                    }
                }
            }

            private Span<float> In(int word) => direct ? run.Input.AsSpan(word * _dim, _dim) : Row(_inBlocks, Slot(word));

            private Span<float> Out(int word) => direct ? run.Output.AsSpan(word * _dim, _dim) : Row(_outBlocks, Slot(word));

            private Span<float> Row(List<float[]> blocks, int slot) => blocks[slot / BlockRows].AsSpan(slot % BlockRows * _dim, _dim);

            // The private row pair of `word`, copied from the shared vectors on first touch in a round.
            // Rows live in fixed blocks that never move, so spans handed out stay valid.
            private int Slot(int word)
            {
                int slot = _slotOf[word];
                if (slot >= 0) return slot;
                slot = _slots++;
                if (slot / BlockRows == _inBlocks.Count)
                {
                    _inBlocks.Add(new float[BlockRows * _dim]);
                    _outBlocks.Add(new float[BlockRows * _dim]);
                }
                if (slot == _touched.Length) Array.Resize(ref _touched, 2 * _touched.Length);
                _touched[slot] = word;
                _slotOf[word] = slot;
                run.Input.AsSpan(word * _dim, _dim).CopyTo(Row(_inBlocks, slot));
                run.Output.AsSpan(word * _dim, _dim).CopyTo(Row(_outBlocks, slot));
                return slot;
            }

            // Turns the private rows into changes against the shared rows (which no shard wrote this round).
            public void ToDeltas()
            {
                for (int s = 0; s < _slots; s++)
                {
                    int w = _touched[s];
                    var i = Row(_inBlocks, s);
                    var o = Row(_outBlocks, s);
                    Primitives.Subtract(i, run.Input.AsSpan(w * _dim, _dim), i);
                    Primitives.Subtract(o, run.Output.AsSpan(w * _dim, _dim), o);
                }
            }

            // Adds this shard's changes to the shared rows and forgets its private rows.
            public void AddDeltas()
            {
                for (int s = 0; s < _slots; s++)
                {
                    int w = _touched[s];
                    var si = run.Input.AsSpan(w * _dim, _dim);
                    var so = run.Output.AsSpan(w * _dim, _dim);
                    Primitives.Add(si, Row(_inBlocks, s), si);
                    Primitives.Add(so, Row(_outBlocks, s), so);
                    _slotOf[w] = -1;
                }
                _slots = 0;
            }
        }
    }
}
