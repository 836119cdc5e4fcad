using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Onnx;

namespace Nabla.Onnx;

/// <summary>
/// The graph being written, as layer exporters see it: they add nodes (<see cref="Node(string, IReadOnlyList{string}, OnnxAttribute[])"/>), weights
/// (<see cref="Initializer(string, Tensor)"/>) and constants, and export their child modules with
/// <see cref="Export"/>. Weights are named after the layer's state-dict entries (<c>0.weight</c>),
/// so an exported file reads like the model's <c>state_dict()</c>.
/// </summary>
public sealed class OnnxExportContext
{
    private readonly GraphProto _graph;
    private readonly Func<Type, IOnnxLayerExporter?> _find;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _constants = [];
    private readonly Dictionary<string, string> _masks = new(StringComparer.Ordinal);

    internal OnnxExportContext(GraphProto graph, Func<Type, IOnnxLayerExporter?> find)
    {
        _graph = graph;
        _find = find;
    }

    /// <summary>The state-dict prefix of the layer being exported (<c>3.</c> for child 3 of the top-level Sequential; empty at the top).</summary>
    public string Prefix { get; private set; } = "";

    /// <summary>
    /// Exports <paramref name="layer"/> (a child module named <paramref name="childName"/>, which extends
    /// <see cref="Prefix"/>; null for the module itself) with the exporter registered for its type, and
    /// returns its output value with the shape the layer produces.
    /// </summary>
    /// <exception cref="OnnxExportException">No exporter is known for the layer's type.</exception>
    public OnnxValue Export(Module layer, OnnxValue input, string? childName = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(input);
        string outer = Prefix;
        string where = childName is null ? (outer.Length == 0 ? "the model" : $"layer {outer.TrimEnd('.')}") : $"layer {outer}{childName}";
        var exporter = _find(layer.GetType())
            ?? throw new OnnxExportException($"{where} ({layer.Describe()}) has no ONNX exporter; add an IOnnxLayerExporter for {layer.GetType().Name} to OnnxExportOptions.Exporters");
        if (childName is not null) Prefix = outer + childName + ".";
        try
        {
            string output = exporter.Export(layer, input, this);
            return new OnnxValue(output, ModelBuilder.OutputShape(layer, input.Shape)) { Mask = _masks.GetValueOrDefault(output) };
        }
        finally
        {
            Prefix = outer;
        }
    }

    /// <summary>
    /// Enters the state-dict prefix of child <paramref name="childName"/> until the result is disposed,
    /// for exporters of modules whose children take more than one input (attention's query and memory):
    /// <c>using (context.Within("self_attn")) { … }</c> names weights <c>{Prefix}self_attn.…</c>.
    /// </summary>
    public IDisposable Within(string childName)
    {
        ArgumentException.ThrowIfNullOrEmpty(childName);
        var scope = new PrefixScope(this, Prefix);
        Prefix = Prefix + childName + ".";
        return scope;
    }

    /// <summary>
    /// Records that value <paramref name="value"/> carries the padding mask <paramref name="mask"/>
    /// (a float [N, T] value, 1 at real positions and 0 at padding, as <see cref="Tensor.Mask"/>):
    /// <see cref="Export"/> returns it as <see cref="OnnxValue.Mask"/> for the layers after it.
    /// </summary>
    public void SetMask(string value, string mask)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        ArgumentException.ThrowIfNullOrEmpty(mask);
        _masks[value] = mask;
    }

    /// <summary>Adds a node of the default (ai.onnx) domain with one output; returns the output's name (<c>{Prefix}{opType}</c>, made unique).</summary>
    /// <param name="opType">The operator, e.g. <c>Gemm</c>.</param>
    /// <param name="inputs">Input value names in the operator's order (an empty string skips an optional input).</param>
    /// <param name="attributes">The node's attributes.</param>
    public string Node(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs (LSTM's Y, Y_h, Y_c); returns their names.</summary>
    public IReadOnlyList<string> Node(string opType, IReadOnlyList<string> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        var names = new string[outputs];
        for (int i = 0; i < outputs; i++) names[i] = Fresh(Prefix + opType + (i == 0 ? "" : "_out" + i.ToString(CultureInfo.InvariantCulture)));
        AddNode(opType, inputs, names, attributes);
        return names;
    }

    /// <summary>A weight: <paramref name="tensor"/>'s values under <c>{Prefix}{name}</c> (its state-dict key), with its shape.</summary>
    public string Initializer(string name, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var dims = new long[tensor.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = tensor.Shape[i];
        return Initializer(name, tensor.ToArray(), dims);
    }

    /// <summary>A float32 initializer named <c>{Prefix}{name}</c> (made unique) holding <paramref name="values"/> in the shape <paramref name="dims"/>.</summary>
    /// <exception cref="ArgumentException">The values do not fill the shape.</exception>
    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long count = 1;
        foreach (var d in dims) count *= d;
        if (count != values.Length) throw new ArgumentException($"{values.Length} values do not fill the shape [{string.Join(", ", dims)}]", nameof(values));
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return AddInitializer(Fresh(Prefix + name), TensorProto.Types.DataType.Float, bytes, dims);
    }

    /// <summary>A 1-D int64 initializer named <c>{Prefix}{name}</c> (shapes for <c>Reshape</c>, axes, indices).</summary>
    public string Int64Initializer(string name, params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), values[i]);
        return AddInitializer(Fresh(Prefix + name), TensorProto.Types.DataType.Int64, bytes, [values.Length]);
    }

    /// <summary>A float32 scalar constant (shared by every use of the same value).</summary>
    public string Constant(float value)
    {
        int bits = BitConverter.SingleToInt32Bits(value);
        if (_constants.TryGetValue(bits, out var name)) return name;
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        name = AddInitializer(Fresh("const_" + value.ToString("R", CultureInfo.InvariantCulture)), TensorProto.Types.DataType.Float, bytes, []);
        _constants[bits] = name;
        return name;
    }

    /// <summary>
    /// Declares a graph input beside <c>input</c> and returns its name; a second call with the same
    /// name returns it again, so layers share it (graph layers read their edges from <c>edge_index</c>).
    /// </summary>
    /// <param name="name">The input's name.</param>
    /// <param name="int64">Whether it holds int64 values (else float32).</param>
    /// <param name="dims">Each dimension: a number, or a name for a symbolic one (<c>"E"</c>).</param>
    public string Input(string name, bool int64, params string[] dims)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dims);
        foreach (var declared in _graph.Input)
            if (declared.Name == name) return name;
        if (!_names.Add(name)) throw new InvalidOperationException($"the ONNX value name '{name}' is taken");
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out long v)
                ? new TensorShapeProto.Types.Dimension { DimValue = v }
                : new TensorShapeProto.Types.Dimension { DimParam = d });
        var type = int64 ? TensorProto.Types.DataType.Int64 : TensorProto.Types.DataType.Float;
        _graph.Input.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        });
        return name;
    }

    /// <summary>Adds a node whose single output has the fixed name <paramref name="output"/> (the graph's outputs).</summary>
    internal string NamedNode(string opType, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes)
    {
        if (!_names.Add(output)) throw new InvalidOperationException($"the ONNX value name '{output}' is taken");
        AddNode(opType, inputs, [output], attributes);
        return output;
    }

    /// <summary>Reserves a name the graph declares itself (its input).</summary>
    internal void Reserve(string name) => _names.Add(name);

    private void AddNode(string opType, IReadOnlyList<string> inputs, string[] outputs, OnnxAttribute[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = outputs[0] };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        foreach (var a in attributes) node.Attribute.Add(ToProto(a));
        _graph.Node.Add(node);
    }

    private string AddInitializer(string name, TensorProto.Types.DataType type, byte[] raw, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.Add(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary><paramref name="name"/>, or <c>name_1</c>, <c>name_2</c>, … when it is taken (ONNX values are assigned once).</summary>
    private string Fresh(string name)
    {
        if (_names.Add(name)) return name;
        for (int i = 1; ; i++)
        {
            string candidate = name + "_" + i.ToString(CultureInfo.InvariantCulture);
            if (_names.Add(candidate)) return candidate;
        }
    }

    private sealed class PrefixScope(OnnxExportContext context, string outer) : IDisposable
    {
        public void Dispose() => context.Prefix = outer;
    }

    private static AttributeProto ToProto(OnnxAttribute a)
    {
        var p = new AttributeProto { Name = a.Name };
        if (a.IntValue is { } i) { p.Type = AttributeProto.Types.AttributeType.Int; p.I = i; }
        else if (a.IntsValue is { } ints) { p.Type = AttributeProto.Types.AttributeType.Ints; p.Ints.Add(ints); }
        else if (a.FloatValue is { } f) { p.Type = AttributeProto.Types.AttributeType.Float; p.F = f; }
        else if (a.StringsValue is { } strings) { p.Type = AttributeProto.Types.AttributeType.Strings; foreach (var v in strings) p.Strings.Add(ByteString.CopyFromUtf8(v)); }
        else { p.Type = AttributeProto.Types.AttributeType.String; p.S = ByteString.CopyFromUtf8(a.StringValue ?? ""); }
        return p;
    }
}
