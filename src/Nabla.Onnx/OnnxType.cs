namespace Nabla.Onnx;

/// <summary>ONNX element types the exporters name in <c>Cast</c>'s <c>to</c> attribute (<c>TensorProto.DataType</c>).</summary>
internal enum OnnxType
{
    /// <summary>float32.</summary>
    Float = 1,

    /// <summary>bool.</summary>
    Bool = 9,

    /// <summary>int32 (the recurrent operators' <c>sequence_lens</c>).</summary>
    Int32 = 6,

    /// <summary>int64 (indices for <c>Gather</c>).</summary>
    Int64 = 7,
}
