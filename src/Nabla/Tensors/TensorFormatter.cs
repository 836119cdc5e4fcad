using System.Globalization;
using System.Text;

namespace Nabla.Tensors;

/// <summary>Renders tensors as nested brackets, eliding the middle of long dimensions.</summary>
internal static class TensorFormatter
{
    private const int EdgeItems = 3;

    public static string Format(Tensor t)
    {
        var sb = new StringBuilder();
        sb.Append("Tensor(shape=").Append(t.Shape);
        if (t.GradFnName is { } fn) sb.Append(", grad_fn=").Append(fn);
        else if (t.RequiresGrad) sb.Append(", requires_grad");
        sb.Append(")\n");
        var values = t.ToArray();
        if (t.Rank == 0)
        {
            sb.Append(Number(values[0]));
            return sb.ToString();
        }
        Span<int> strides = stackalloc int[Shape.MaxRank];
        int step = 1;
        for (int i = t.Rank - 1; i >= 0; i--)
        {
            strides[i] = step;
            step *= t.Shape[i];
        }
        Append(sb, values, t.Shape, strides[..t.Rank].ToArray(), 0, 0, 0);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, float[] values, Shape shape, int[] strides, int axis, int offset, int indent)
    {
        sb.Append('[');
        int n = shape[axis];
        bool elide = n > 2 * EdgeItems;
        for (int i = 0; i < n; i++)
        {
            if (elide && i == EdgeItems)
            {
                sb.Append(axis == shape.Rank - 1 ? "..., " : "...,\n" + new string(' ', indent + 1));
                i = n - EdgeItems - 1;
                continue;
            }
            if (axis == shape.Rank - 1) sb.Append(Number(values[offset + i]));
            else Append(sb, values, shape, strides, axis + 1, offset + i * strides[axis], indent + 1);
            if (i < n - 1) sb.Append(axis == shape.Rank - 1 ? ", " : ",\n" + new string(' ', indent + 1));
        }
        sb.Append(']');
    }

    private static string Number(float v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
