namespace Nabla.Data.Text;

/// <summary>
/// Settings of <see cref="SkipGram.Train"/>; the defaults are word2vec's for skip-gram
/// (<c>-cbow 0 -size 100 -window 5 -negative 5 -sample 1e-3 -alpha 0.025 -iter 5 -min-count 5</c>).
/// </summary>
public sealed record SkipGramOptions
{
    /// <summary>Size of each vector.</summary>
    public int Dimension { get; init; } = 100;

    /// <summary>Largest distance between a word and a context word; each word draws its own window 1..Window.</summary>
    public int Window { get; init; } = 5;

    /// <summary>Negative samples per (word, context) pair, drawn from the unigram distribution raised to 0.75.</summary>
    public int Negative { get; init; } = 5;

    /// <summary>Fewest occurrences for a word to get a vector; rarer words are dropped from the corpus.</summary>
    public int MinCount { get; init; } = 5;

    /// <summary>Passes over the corpus.</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Starting learning rate α₀, decayed linearly to α₀·10⁻⁴ over all epochs.</summary>
    public float LearningRate { get; init; } = 0.025f;

    /// <summary>Subsampling threshold t: a word of frequency f is kept with probability (√(f/t) + 1)·t/f; 0 keeps every word.</summary>
    public float Subsample { get; init; } = 1e-3f;

    /// <summary>Drop English stop words before training (<see cref="EnglishStopWords"/>).</summary>
    public bool RemoveStopWords { get; init; }

    /// <summary>Seed of the initial vectors, windows, subsampling and negative samples.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Number of corpus shards trained side by side; null = <c>WorkerPool.MaxThreads</c>. The result
    /// depends on the seed and this number only, never on timing.
    /// </summary>
    public int? Shards { get; init; }

    /// <summary>Words each shard processes between two merges of the shards' updates.</summary>
    public int WordsPerRound { get; init; } = 10_000;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Dimension, 1, nameof(Dimension));
        ArgumentOutOfRangeException.ThrowIfLessThan(Window, 1, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfLessThan(Negative, 0, nameof(Negative));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinCount, 1, nameof(MinCount));
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(WordsPerRound, 1, nameof(WordsPerRound));
        if (Shards is < 1) throw new ArgumentOutOfRangeException(nameof(Shards), $"Shards must be at least 1, got {Shards}");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), $"LearningRate must be a positive number, got {LearningRate}");
        if (!(Subsample >= 0) || !float.IsFinite(Subsample)) throw new ArgumentOutOfRangeException(nameof(Subsample), $"Subsample must be ≥ 0, got {Subsample}");
    }
}
