using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>The contents of a safetensors file: named tensors (converted to float32) and string metadata.</summary>
/// <param name="Tensors">Tensors by name, in file order.</param>
/// <param name="Metadata">The <c>__metadata__</c> entries (string to string).</param>
public sealed record SafetensorsContent(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Reads and writes the safetensors format (as used by Hugging Face and PyTorch tooling): an
/// 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
/// <c>{"dtype":"F32","shape":[…],"data_offsets":[begin,end]}</c> plus an optional
/// <c>"__metadata__"</c> object of strings, then the raw little-endian data.
/// </summary>
public static class Safetensors
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>
    /// Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/>
    /// atomically: the bytes go to a temporary file in the same folder, which is flushed to disk and
    /// then renamed over the target, so an interrupted save leaves any previous file intact. Tensors are
    /// written as F32, except the one-element tensors named in <paramref name="int64Scalars"/>, which are
    /// written as I64 of shape [] — how PyTorch stores counters such as <c>num_batches_tracked</c>.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        IReadOnlySet<string>? int64Scalars = null) =>
        Save(path, tensors, metadata, static s => s, int64Scalars);

    /// <summary>As <see cref="Save(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?, IReadOnlySet{string}?)"/>, writing through <paramref name="wrap"/> (tests use it to fail midway).</summary>
    internal static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata, Func<Stream, Stream> wrap,
        IReadOnlySet<string>? int64Scalars = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        byte[] header = BuildHeader(list, metadata, int64Scalars);
        AtomicFile.Write(path, file =>
        {
            var stream = wrap(file); // shares the file's lifetime; not disposed separately
            WriteTo(stream, header, list, int64Scalars);
            stream.Flush();
        });
    }

    /// <summary>Writes the file body to a stream (exposed so tests can interrupt a save midway).</summary>
    internal static void WriteTo(Stream stream, byte[] header, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlySet<string>? int64Scalars = null)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (name, t) in tensors)
        {
            var values = t.ToArray();
            if (IsInt64Scalar(name, t, int64Scalars))
            {
                BinaryPrimitives.WriteInt64LittleEndian(length, (long)values[0]);
                stream.Write(length);
                continue;
            }
            var bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            stream.Write(bytes);
        }
    }

    /// <summary>The JSON header, padded with spaces to a multiple of 8 bytes as the format recommends.</summary>
    internal static byte[] BuildHeader(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata,
        IReadOnlySet<string>? int64Scalars = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, t) in tensors)
            {
                if (name == "__metadata__" || !seen.Add(name))
                    throw new ArgumentException($"safetensors: tensor name '{name}' is reserved or repeated", nameof(tensors));
                bool counter = IsInt64Scalar(name, t, int64Scalars);
                w.WriteStartObject(name);
                w.WriteString("dtype", counter ? "I64" : "F32");
                w.WriteStartArray("shape");
                for (int i = 0; i < t.Rank && !counter; i++) w.WriteNumberValue(t.Shape[i]);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += counter ? 8 : 4L * t.Numel;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        var json = ms.ToArray();
        int padded = (json.Length + 7) / 8 * 8;
        var header = new byte[padded];
        json.CopyTo(header, 0);
        header.AsSpan(json.Length).Fill((byte)' ');
        return header;
    }

    private static bool IsInt64Scalar(string name, Tensor t, IReadOnlySet<string>? int64Scalars) =>
        int64Scalars is not null && t.Numel == 1 && int64Scalars.Contains(name);

    /// <summary>
    /// Reads a safetensors file, validating the header length, the JSON, each entry's dtype,
    /// shape and offsets (inside the data, no gaps or overlaps) against the file size.
    /// </summary>
    /// <exception cref="ModelFileException">The file is missing, truncated, corrupted or not safetensors; the message names it.</exception>
    public static SafetensorsContent Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new ModelFileException($"{path}: is a folder, not a safetensors file");
        if (!File.Exists(path)) throw new ModelFileException($"{path}: file not found");
        long size = new FileInfo(path).Length;
        if (size > MaxFileBytes)
            throw new ModelFileException(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(path)}: {size:N0} bytes; Nabla reads safetensors files of at most {MaxFileBytes:N0} bytes"));
        return Load(File.ReadAllBytes(path), Path.GetFileName(path));
    }

    /// <summary>The largest file <see cref="Load(string)"/> reads: one array's worth of bytes (2 GiB).</summary>
    public static long MaxFileBytes => Array.MaxLength;

    /// <summary>Reads safetensors content from <paramref name="bytes"/>; <paramref name="name"/> starts every message.</summary>
    /// <exception cref="ModelFileException">Truncated, corrupted or not safetensors.</exception>
    internal static SafetensorsContent Load(byte[] bytes, string name)
    {
        if (bytes.Length < 8)
            throw new ModelFileException($"{name}: not a safetensors file: {bytes.Length} bytes is too short for the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
        {
            if (headerLength <= MaxHeaderBytes && bytes.Length > 8 && bytes[8] == (byte)'{')
                throw new ModelFileException($"{name}: truncated: header says {headerLength.ToString("N0", CultureInfo.InvariantCulture)} bytes, file has {(bytes.Length - 8).ToString("N0", CultureInfo.InvariantCulture)} after the length");
            throw new ModelFileException($"{name}: not a safetensors file (header length {headerLength.ToString("N0", CultureInfo.InvariantCulture)} does not fit a {bytes.Length.ToString("N0", CultureInfo.InvariantCulture)}-byte file)");
        }
        int dataStart = 8 + (int)headerLength;
        var headerBytes = bytes.AsSpan(8, (int)headerLength);
        if (!Utf8.IsValid(headerBytes))
            throw new ModelFileException($"{name}: not a safetensors file: the header is not valid UTF-8 text");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw new ModelFileException($"{name}: not a safetensors file: the header is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFileException($"{name}: not a safetensors file: the header is not a JSON object");
            return ReadEntries(name, doc.RootElement, bytes, dataStart);
        }
    }

    private static SafetensorsContent ReadEntries(string name, JsonElement root, byte[] bytes, int dataStart)
    {
        long dataLength = bytes.Length - dataStart;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prop in root.EnumerateObject())
        {
            if (!names.Add(prop.Name))
                throw new ModelFileException($"{name}: corrupted: the header names {Printable.Quote(prop.Name)} twice");
            if (prop.Name == "__metadata__")
            {
                if (prop.Value.ValueKind != JsonValueKind.Object)
                    throw new ModelFileException($"{name}: corrupted: __metadata__ is not an object");
                foreach (var m in prop.Value.EnumerateObject())
                {
                    if (m.Value.ValueKind != JsonValueKind.String)
                        throw new ModelFileException($"{name}: corrupted: metadata entry {Printable.Quote(m.Name)} is not a string");
                    if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                        throw new ModelFileException($"{name}: corrupted: metadata entry {Printable.Quote(m.Name)} appears twice");
                }
                continue;
            }
            entries.Add(ReadEntry(name, prop));
        }
        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        long expected = 0;
        foreach (var e in entries)
        {
            if (e.Begin != expected)
                throw new ModelFileException($"{name}: corrupted: tensor {Printable.Quote(e.Name)} starts at byte {e.Begin}, expected {expected} (gap or overlap)");
            expected = e.End;
        }
        if (expected > dataLength)
            throw new ModelFileException($"{name}: truncated: header says {expected.ToString("N0", CultureInfo.InvariantCulture)} bytes of data, file has {dataLength.ToString("N0", CultureInfo.InvariantCulture)}");
        if (expected < dataLength)
            throw new ModelFileException($"{name}: corrupted: {dataLength - expected} bytes after the last tensor");
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var t = Tensor.Owned(new Shape(e.Shape));
            SafetensorsDType.ToSingle(e.DType, bytes.AsSpan(dataStart + (int)e.Begin, (int)(e.End - e.Begin)), t.AsSpan());
            tensors[e.Name] = t;
        }
        return new SafetensorsContent(tensors, metadata);
    }

    private static (string Name, string DType, int[] Shape, long Begin, long End) ReadEntry(string file, JsonProperty prop)
    {
        var v = prop.Value;
        string tensor = Printable.Quote(prop.Name);
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new ModelFileException($"{file}: corrupted: entry {tensor} needs dtype, shape and two data_offsets");
        string type = dtype.GetString()!;
        int width = SafetensorsDType.Size(type);
        if (width == 0)
            throw new ModelFileException($"{file}: tensor {tensor} has dtype {Printable.Escape(type)}; Nabla reads {string.Join(", ", SafetensorsDType.Readable)} (converted to F32)");
        if (shape.GetArrayLength() > Shape.MaxRank)
            throw new ModelFileException($"{file}: tensor {tensor} has {shape.GetArrayLength()} dimensions; Nabla's tensors have at most {Shape.MaxRank}");
        var dims = new int[shape.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in shape.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int size) || size < 0)
                throw new ModelFileException($"{file}: corrupted: tensor {tensor} has an invalid shape (each size a whole number from 0 to {int.MaxValue})");
            dims[i++] = size;
            // Capped so that no product of sizes can wrap around to a small byte count.
            count = count > Array.MaxLength ? count : count * size;
        }
        if (count > Array.MaxLength / 4)
            throw new ModelFileException(string.Create(CultureInfo.InvariantCulture,
                $"{file}: tensor {tensor} of shape [{string.Join(", ", dims)}] has more elements than one tensor holds ({Array.MaxLength / 4:N0})"));
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw new ModelFileException($"{file}: corrupted: tensor {tensor} has invalid data_offsets");
        if (end - begin != count * width)
            throw new ModelFileException($"{file}: corrupted: tensor {tensor} of shape [{string.Join(", ", dims)}] needs {count * width} bytes as {type}, offsets span {end - begin}");
        return (prop.Name, type, dims, begin, end);
    }
}
