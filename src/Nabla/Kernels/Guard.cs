using System.Runtime.CompilerServices;
namespace Nabla.Kernels;

/// <summary>Argument checks shared by the kernels; messages name the spans and their lengths.</summary>
internal static class Guard
{
    /// <summary>Throws unless <paramref name="b"/> has exactly the length of <paramref name="a"/>.</summary>
    public static void SameLength(ReadOnlySpan<float> a, ReadOnlySpan<float> b, string aName, string bName)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException(
                $"Span '{bName}' has length {b.Length} but '{aName}' has length {a.Length}; they must match.", bName);
        }
    }

    /// <summary>Throws unless the span holds at least <paramref name="needed"/> elements.</summary>
    public static void AtLeast(int length, long needed, string name)
    {
        if (length < needed)
        {
            throw new ArgumentException($"Span '{name}' has length {length} but at least {needed} elements are needed.", name);
        }
    }

    /// <summary>Throws unless a span viewed as [outer, axis, inner] holds exactly that many elements.</summary>
    public static void Shape3(int length, int outer, int axis, int inner, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outer);
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        ArgumentOutOfRangeException.ThrowIfNegative(inner);
        long needed = (long)outer * axis * inner;
        if (length != needed)
        {
            throw new ArgumentException(
                $"Span '{name}' has length {length} but shape [{outer}, {axis}, {inner}] needs {needed} elements.", name);
        }
    }

    /// <summary>Throws unless a span holds exactly the product of <paramref name="dims"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Exactly(int length, string name, params ReadOnlySpan<int> dims)
    {
        long needed = 1;
        foreach (int d in dims) needed *= d;
        if (length != needed)
        {
            // Formatted only on failure: kernels run every step and must not allocate.
            throw new ArgumentException($"Span '{name}' has length {length} but shape [{string.Join(", ", dims.ToArray())}] needs {needed} elements.", name);
        }
    }

    /// <summary>Throws if a dimension is negative.</summary>
    public static void Dims(int a, int b, string aName, string bName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(a, aName);
        ArgumentOutOfRangeException.ThrowIfNegative(b, bName);
    }
}
