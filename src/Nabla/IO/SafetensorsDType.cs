using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Nabla.IO;

/// <summary>
/// The element types Nabla reads from safetensors files, converted to float32 on load: F32 as is;
/// F16, BF16 and F64 rounded to the nearest float; I64 (PyTorch's <c>num_batches_tracked</c>,
/// integer buffers) exactly up to 2²⁴.
/// </summary>
internal static class SafetensorsDType
{
    /// <summary>The dtypes accepted, in the order messages list them.</summary>
    public static readonly string[] Readable = ["F32", "F16", "BF16", "F64", "I64"];

    /// <summary>Bytes per element of <paramref name="dtype"/>, or 0 when Nabla does not read it.</summary>
    public static int Size(string? dtype) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        "F64" or "I64" => 8,
        _ => 0,
    };

    /// <summary>Converts little-endian elements of <paramref name="dtype"/> in <paramref name="bytes"/> to <paramref name="values"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToSingle(string dtype, ReadOnlySpan<byte> bytes, Span<float> values)
    {
        switch (dtype)
        {
            case "F32":
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            case "BF16":
                // bfloat16 is the upper half of a float32: widening is exact.
                for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                break;
            case "F64":
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                break;
            case "I64":
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(8 * i)..]);
                break;
            default:
                throw new ArgumentException($"unsupported dtype {dtype}", nameof(dtype));
        }
    }
}
