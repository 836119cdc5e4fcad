namespace Nabla.Onnx;

/// <summary>
/// A node attribute (ONNX's <c>AttributeProto</c>): an integer, a list of integers, a float, a
/// string or a list of strings, e.g. <c>OnnxAttribute.Ints("kernel_shape", 3, 3)</c>.
/// </summary>
public sealed record OnnxAttribute
{
    private OnnxAttribute(string name) => Name = name;

    /// <summary>The attribute name, as the operator's specification spells it.</summary>
    public string Name { get; }

    /// <summary>The integer value, for <see cref="Int"/>.</summary>
    public long? IntValue { get; private init; }

    /// <summary>The integer list, for <see cref="Ints"/>.</summary>
    public IReadOnlyList<long>? IntsValue { get; private init; }

    /// <summary>The float value, for <see cref="Float"/>.</summary>
    public float? FloatValue { get; private init; }

    /// <summary>The string value, for <see cref="String"/>.</summary>
    public string? StringValue { get; private init; }

    /// <summary>The string list, for <see cref="Strings"/>.</summary>
    public IReadOnlyList<string>? StringsValue { get; private init; }

    /// <summary>An integer attribute (<c>axis</c>, <c>transB</c>, <c>to</c>, …).</summary>
    public static OnnxAttribute Int(string name, long value) => new(name) { IntValue = value };

    /// <summary>An integer-list attribute (<c>kernel_shape</c>, <c>pads</c>, <c>strides</c>, …).</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name) { IntsValue = values };

    /// <summary>A float attribute (<c>alpha</c>, <c>epsilon</c>, …).</summary>
    public static OnnxAttribute Float(string name, float value) => new(name) { FloatValue = value };

    /// <summary>A string attribute (<c>direction</c>, …).</summary>
    public static OnnxAttribute String(string name, string value) => new(name) { StringValue = value };

    /// <summary>A string-list attribute (the recurrent operators' <c>activations</c>).</summary>
    public static OnnxAttribute Strings(string name, params string[] values) => new(name) { StringsValue = values };
}
