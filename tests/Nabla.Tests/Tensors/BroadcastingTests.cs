using Nabla.Autograd;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Tests.Tensors;

/// <summary>
/// Broadcasting picks one of several loops by layout (one contiguous run, a scalar on either side, a
/// row or column stretched along the inner run, a strided view); every op must give on each of them
/// exactly the bits of the scalar expression applied element by element.
/// </summary>
public class BroadcastingTests
{
    private const int Rows = 3, Cols = 37; // 37 columns: a 16-wide, an 8-wide and a scalar tail per row

    private static float[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (i % 11) switch
            {
                3 => float.NaN,
                5 => -0f,
                7 => 0f,
                9 => 1f, // equal across operands, so == and <= hold somewhere
                _ => (float)(rng.NextDouble() * 4 - 2),
            };
        }
        return v;
    }

    // The layouts, each as (a, b, a's value at [i, j], b's value at [i, j]) over a Rows × Cols result.
    private static IEnumerable<(string Name, Tensor A, Tensor B, Func<int, int, float> At, Func<int, int, float> Bt)> Layouts()
    {
        float[] x = Values(Rows * Cols, 1), y = Values(Rows * Cols, 2);
        float[] row = Values(Cols, 3), col = Values(Rows, 4);
        var full = Tensor.FromArray(x, Rows, Cols);
        var other = Tensor.FromArray(y, Rows, Cols);
        yield return ("same shape", full, other, (i, j) => x[i * Cols + j], (i, j) => y[i * Cols + j]);
        foreach (float s in new[] { 0.75f, -0f, float.NaN })
        {
            yield return ($"scalar {s} on the left", Tensor.FromArray([s], 1), other, (i, j) => s, (i, j) => y[i * Cols + j]);
            yield return ($"scalar {s} on the right", full, Tensor.FromArray([s]), (i, j) => x[i * Cols + j], (i, j) => s);
        }
        yield return ("row vector", full, Tensor.FromArray(row, Cols), (i, j) => x[i * Cols + j], (i, j) => row[j]);
        yield return ("column on the right", full, Tensor.FromArray(col, Rows, 1), (i, j) => x[i * Cols + j], (i, j) => col[i]);
        yield return ("column on the left", Tensor.FromArray(col, Rows, 1), other, (i, j) => col[i], (i, j) => y[i * Cols + j]);
        yield return ("outer", Tensor.FromArray(row, 1, Cols), Tensor.FromArray(col, Rows, 1), (i, j) => row[j], (i, j) => col[i]);
        // A transposed view: neither operand runs with stride 1, so the element-by-element loop runs.
        var stored = Tensor.FromArray(x, Cols, Rows);
        yield return ("transposed view", stored.T(), other, (i, j) => x[j * Rows + i], (i, j) => y[i * Cols + j]);
    }

    private static void Check<TOp>(Func<float, float, float> expected) where TOp : struct, IBinaryOp
    {
        foreach (var (name, a, b, at, bt) in Layouts())
        {
            var d = Broadcasting.Binary<TOp>(a, b, typeof(TOp).Name);
            Assert.Equal(new Shape(Rows, Cols), d.Shape);
            var got = d.ToArray();
            for (int i = 0; i < Rows; i++)
            {
                for (int j = 0; j < Cols; j++)
                {
                    float e = expected(at(i, j), bt(i, j)), g = got[i * Cols + j];
                    bool same = float.IsNaN(e) ? float.IsNaN(g) : BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(g);
                    Assert.True(same, $"{typeof(TOp).Name}, {name}: [{i}, {j}] = op({at(i, j)}, {bt(i, j)}) gave {g}, expected {e}");
                }
            }
        }
    }

    [Fact]
    public void Arithmetic_gives_the_scalar_expressions_bits_on_every_layout()
    {
        Check<AddOp>((a, b) => a + b);
        Check<SubtractOp>((a, b) => a - b);
        Check<MultiplyOp>((a, b) => a * b);
        Check<DivideOp>((a, b) => a / b);
        Check<MaxOp>(MathF.Max);
        Check<MinOp>(MathF.Min);
    }

    [Fact]
    public void Comparisons_give_one_or_zero_on_every_layout()
    {
        Check<GreaterThanOp>((a, b) => a > b ? 1f : 0f);
        Check<GreaterThanOrEqualOp>((a, b) => a >= b ? 1f : 0f);
        Check<LessThanOp>((a, b) => a < b ? 1f : 0f);
        Check<LessThanOrEqualOp>((a, b) => a <= b ? 1f : 0f);
        Check<EqualOp>((a, b) => a == b ? 1f : 0f);
        Check<NotEqualOp>((a, b) => a != b ? 1f : 0f);
    }
}
