using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>Target encodings.</summary>
public static class Encode
{
    /// <summary>One-hot rows <c>[N, numClasses]</c> of class indices <paramref name="labels"/> (N values, any shape).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is not a whole number in 0..numClasses-1; names it and its position.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor OneHot(Tensor labels, int numClasses)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 1);
        var l = labels.ToArray();
        var result = new float[l.Length * numClasses];
        for (int i = 0; i < l.Length; i++)
        {
            int c = (int)l[i];
            if (c != l[i] || (uint)c >= (uint)numClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), $"label {l[i]} at position {i} is not a class in 0..{numClasses - 1}");
            result[i * numClasses + c] = 1f;
        }
        return Tensor.FromArray(result, l.Length, numClasses);
    }
}
