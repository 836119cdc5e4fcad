namespace Nabla.Tensors;

/// <summary>
/// Float arrays kept for reuse, bucketed by exact length. Training repeats the same shapes every
/// step, so exact lengths hit almost always and a tensor's span is its whole array.
/// </summary>
internal static class BufferPool
{
    // Beyond this many pooled floats (1 GiB) returned arrays are left to the GC.
    private const long MaxPooledFloats = 1L << 28;
    private static readonly Dictionary<int, Stack<float[]>> Buckets = [];
    private static readonly object Gate = new();
    private static long _pooledFloats;

    /// <summary>An array of exactly <paramref name="length"/> floats with unspecified contents.</summary>
    public static float[] Rent(int length)
    {
        if (length == 0) return [];
        lock (Gate)
        {
            if (Buckets.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                _pooledFloats -= length;
                return stack.Pop();
            }
        }
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>Gives an array back; the caller must hold no other reference to it.</summary>
    public static void Return(float[] array)
    {
        if (array.Length == 0) return;
        lock (Gate)
        {
            if (_pooledFloats + array.Length > MaxPooledFloats) return;
            if (!Buckets.TryGetValue(array.Length, out var stack))
            {
                stack = new Stack<float[]>();
                Buckets[array.Length] = stack;
            }
            stack.Push(array);
            _pooledFloats += array.Length;
        }
    }
}
