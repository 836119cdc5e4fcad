namespace Nabla.Tensors;

/// <summary>
/// Float arrays kept for reuse, bucketed by exact length. Training repeats the same shapes every
/// step, so exact lengths hit almost always and a tensor's span is its whole array.
/// </summary>
/// <remarks>
/// The buckets belong to the thread: a training loop's steady state then depends only on its own
/// steps (another thread taking a buffer of the same size cannot make it allocate), and renting
/// needs no lock. A buffer returned on another thread simply joins that thread's pool.
/// </remarks>
internal static class BufferPool
{
    // Beyond this many pooled floats per thread (1 GiB) returned arrays are left to the GC. Set
    // low, a CNN's evaluation batches overflow it every step and each dropped array becomes
    // large-object-heap garbage that the next step allocates again (RSS grew to 1.5 GB).
    private const long MaxPooledFloats = 1L << 28;

    [ThreadStatic] private static Dictionary<int, Stack<float[]>>? _buckets;
    [ThreadStatic] private static long _pooledFloats;

    /// <summary>An array of exactly <paramref name="length"/> floats with unspecified contents.</summary>
    public static float[] Rent(int length)
    {
        if (length == 0) return [];
        if (_buckets is { } buckets && buckets.TryGetValue(length, out var stack) && stack.Count > 0)
        {
            _pooledFloats -= length;
            return stack.Pop();
        }
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Gives an array back; the caller must hold no other reference to it.</summary>
    public static void Return(float[] array)
    {
        if (array.Length == 0 || _pooledFloats + array.Length > MaxPooledFloats) return;
        var buckets = _buckets ??= [];
        if (!buckets.TryGetValue(array.Length, out var stack))
        {
            stack = new Stack<float[]>();
            buckets[array.Length] = stack;
        }
        stack.Push(array);
        _pooledFloats += array.Length;
    }
}
