namespace Nabla.Nn;

/// <summary>
/// The key/value caches of a whole transformer stack for step-by-step decoding: one growing
/// self-attention cache per layer and, for a decoder, one static cache per layer holding the
/// memory's keys and values (computed at the first step, reused after).
/// </summary>
/// <example><code>
/// var cache = new TransformerCache(layers: 2, capacity: 64, withMemory: true);
/// using (GradMode.NoGrad())
///     for (int t = 0; t &lt; steps; t++) y = decoder.Forward(newTokens, memory, tgtIsCausal: true, cache: cache);
/// </code></example>
public sealed class TransformerCache
{
    private readonly KeyValueCache[] _self;
    private readonly KeyValueCache[]? _memory;

    /// <summary>Caches for <paramref name="layers"/> layers holding up to <paramref name="capacity"/> positions.</summary>
    /// <param name="layers">Number of layers of the stack.</param>
    /// <param name="capacity">Maximum number of positions decoded.</param>
    /// <param name="withMemory">True for a decoder (its layers attend to an encoder's memory).</param>
    public TransformerCache(int layers, int capacity, bool withMemory)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _self = new KeyValueCache[layers];
        for (int i = 0; i < layers; i++) _self[i] = KeyValueCache.Growing(capacity);
        if (!withMemory) return;
        _memory = new KeyValueCache[layers];
        for (int i = 0; i < layers; i++) _memory[i] = KeyValueCache.Static();
    }

    /// <summary>Number of layers.</summary>
    public int Layers => _self.Length;

    /// <summary>Maximum number of positions.</summary>
    public int Capacity { get; }

    /// <summary>Positions decoded so far (the next position's index).</summary>
    public int Length => _self[0].Length;

    /// <summary>True when the cache has memory caches (a decoder's).</summary>
    public bool HasMemory => _memory is not null;

    /// <summary>The self-attention cache of layer <paramref name="layer"/>.</summary>
    public KeyValueCache Self(int layer) => _self[layer];

    /// <summary>The memory-attention cache of layer <paramref name="layer"/>.</summary>
    /// <exception cref="InvalidOperationException">The cache was made without memory caches.</exception>
    public KeyValueCache Memory(int layer) =>
        _memory?[layer] ?? throw new InvalidOperationException("TransformerCache: made without memory caches (withMemory: false), as for an encoder-only stack");

    /// <summary>Keeps the batch rows <paramref name="rows"/> in every cache (beam search).</summary>
    public void Reorder(ReadOnlySpan<int> rows)
    {
        foreach (var c in _self) c.Reorder(rows);
        if (_memory is null) return;
        foreach (var c in _memory) c.Reorder(rows);
    }

    /// <summary>Forgets everything, for a new batch.</summary>
    public void Clear()
    {
        foreach (var c in _self) c.Clear();
        if (_memory is null) return;
        foreach (var c in _memory) c.Clear();
    }

    internal void CheckLayers(int layers, string owner)
    {
        if (layers != _self.Length)
            throw new ArgumentException($"{owner} has {layers} layers but the TransformerCache was made for {_self.Length}");
    }
}
