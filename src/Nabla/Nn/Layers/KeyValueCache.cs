using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// The projected keys and values an attention layer has already computed, kept between decoding
/// steps so that step t projects only its new position and attends over the t cached ones: T
/// generated tokens cost T single-position passes instead of T passes over the growing prefix.
/// </summary>
/// <remarks>
/// A <b>growing</b> cache (self-attention) appends the new positions' keys and values on every call,
/// up to <see cref="Capacity"/> positions. A <b>static</b> cache (cross-attention to an encoder's
/// memory) is filled from the memory on the first call and reused unchanged afterwards. Storage is
/// [B, capacity, E] per tensor, allocated on first use outside any <see cref="TensorScope"/>.
/// Caches serve inference: use them under <c>GradMode.NoGrad()</c>.
/// </remarks>
public sealed class KeyValueCache
{
    private Tensor? _keys;
    private Tensor? _values;
    private float[] _reorderScratch = [];

    private KeyValueCache(int capacity, bool isStatic)
    {
        Capacity = capacity;
        IsStatic = isStatic;
    }

    /// <summary>A cache for self-attention that grows by the new positions of every call, up to <paramref name="capacity"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is less than 1.</exception>
    public static KeyValueCache Growing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new KeyValueCache(capacity, false);
    }

    /// <summary>A cache for cross-attention: the memory's keys and values, computed once.</summary>
    public static KeyValueCache Static() => new(0, true);

    /// <summary>Positions the cache can hold (a static cache: the memory's length once filled).</summary>
    public int Capacity { get; private set; }

    /// <summary>True for a cache filled once from a fixed memory.</summary>
    public bool IsStatic { get; }

    /// <summary>Positions cached so far.</summary>
    public int Length { get; private set; }

    /// <summary>Batch rows cached (0 before the first call).</summary>
    public int Batch => _keys?.Shape[0] ?? 0;

    /// <summary>The cached keys [B, Length, E] (a view of the storage).</summary>
    internal Tensor Keys => _keys!.Narrow(1, 0, Length);

    /// <summary>The cached values [B, Length, E_v] (a view of the storage).</summary>
    internal Tensor Values => _values!.Narrow(1, 0, Length);

    /// <summary>Forgets every cached position (the storage is kept for the next sequence).</summary>
    public void Clear() => Length = 0;

    /// <summary>
    /// Keeps only the batch rows <paramref name="rows"/>, in that order: row i becomes the old row
    /// <c>rows[i]</c>. Beam search calls this after choosing which hypotheses continue.
    /// </summary>
    /// <exception cref="ArgumentException">The row count differs from the cache's batch or a row is out of range.</exception>
    public void Reorder(ReadOnlySpan<int> rows)
    {
        if (_keys is null) return;
        if (rows.Length != Batch)
            throw new ArgumentException($"KeyValueCache.Reorder: {rows.Length} rows given for a cache of batch {Batch}", nameof(rows));
        foreach (int r in rows)
            if ((uint)r >= (uint)Batch) throw new ArgumentException($"KeyValueCache.Reorder: row {r} is outside the batch of {Batch}", nameof(rows));
        Reorder(_keys, rows);
        Reorder(_values!, rows);
    }

    /// <summary>Appends [B, n, E] keys and [B, n, E_v] values (growing), or stores the memory's (static, first call).</summary>
    internal void Append(Tensor keys, Tensor values)
    {
        int b = keys.Shape[0], n = keys.Shape[1];
        if (IsStatic)
        {
            if (Length > 0) throw new InvalidOperationException("KeyValueCache: a static cache is filled once; call Clear() before a new memory");
            Allocate(b, n, keys.Shape[2], values.Shape[2]);
            Capacity = n;
        }
        else
        {
            if (_keys is null || _keys.Shape[0] != b || _keys.Shape[2] != keys.Shape[2] || _values!.Shape[2] != values.Shape[2])
            {
                if (Length > 0)
                    throw new InvalidOperationException(
                        $"KeyValueCache: new keys {keys.Shape} do not fit the cached {_keys!.Shape[0]} rows of width {_keys.Shape[2]}; call Clear() before a new batch");
                Allocate(b, Capacity, keys.Shape[2], values.Shape[2]);
            }
            if (Length + n > Capacity)
                throw new InvalidOperationException(
                    $"KeyValueCache: appending {n} position(s) to {Length} cached exceeds its capacity of {Capacity} positions");
        }
        Copy(keys, _keys!, Length);
        Copy(values, _values!, Length);
        Length += n;
    }

    private void Allocate(int batch, int capacity, int keyWidth, int valueWidth)
    {
        if (_keys is not null && _keys.Shape == new Shape(batch, capacity, keyWidth) && _values!.Shape[2] == valueWidth) return;
        using (TensorScope.Suspend())
        {
            _keys = Tensor.Owned(new Shape(batch, capacity, keyWidth));
            _values = Tensor.Owned(new Shape(batch, capacity, valueWidth));
        }
    }

    // storage[b, at + i, :] = source[b, i, :]
    private static void Copy(Tensor source, Tensor storage, int at)
    {
        var s = source.Contiguous();
        int b = s.Shape[0], n = s.Shape[1], e = s.Shape[2], cap = storage.Shape[1];
        var src = s.AsReadOnlySpan();
        var dst = storage.AsSpan();
        for (int r = 0; r < b; r++)
            src.Slice(r * n * e, n * e).CopyTo(dst.Slice((r * cap + at) * e, n * e));
    }

    private void Reorder(Tensor storage, ReadOnlySpan<int> rows)
    {
        int cap = storage.Shape[1], e = storage.Shape[2], used = Length * e;
        var data = storage.AsSpan();
        if (_reorderScratch.Length < rows.Length * used) _reorderScratch = new float[rows.Length * used];
        var copy = _reorderScratch;
        for (int i = 0; i < rows.Length; i++) data.Slice(rows[i] * cap * e, used).CopyTo(copy.AsSpan(i * used, used));
        for (int i = 0; i < rows.Length; i++) copy.AsSpan(i * used, used).CopyTo(data.Slice(i * cap * e, used));
    }
}
