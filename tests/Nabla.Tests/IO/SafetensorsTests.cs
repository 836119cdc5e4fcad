using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Tests.IO;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Dictionary<string, Tensor> Sample() => new()
    {
        ["0.weight"] = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3),
        ["0.bias"] = Tensor.FromArray([-1.5f, 2.25f]),
        ["scalar"] = Tensor.Scalar(7f),
    };

    [Fact]
    public void Saved_tensors_and_metadata_load_back_identically()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Safetensors.Save(path, Sample(), new Dictionary<string, string> { ["format"] = "pt", ["arch"] = "dense(2)" });
        var loaded = Safetensors.Load(path);
        foreach (var (name, t) in Sample())
        {
            Assert.Equal(t.Shape, loaded.Tensors[name].Shape);
            Assert.Equal(t.ToArray(), loaded.Tensors[name].ToArray());
        }
        Assert.Equal("dense(2)", loaded.Metadata["arch"]);
    }

    [Fact]
    public void An_independent_reader_parses_the_file_from_json_and_byte_offsets()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Safetensors.Save(path, Sample(), new Dictionary<string, string> { ["k"] = "v" });
        // A reader written from the format's description only: u64 length, JSON, raw little-endian F32.
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n));
        var entry = doc.RootElement.GetProperty("0.weight");
        Assert.Equal("F32", entry.GetProperty("dtype").GetString());
        Assert.Equal([2, 3], entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var values = new float[(offsets[1] - offsets[0]) / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BitConverter.ToSingle(bytes, (int)(8 + n + offsets[0] + 4 * i));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], values);
        Assert.Equal("v", doc.RootElement.GetProperty("__metadata__").GetProperty("k").GetString());
        Assert.Equal(0, n % 8);
    }

    [Fact]
    public void A_truncated_file_is_reported_with_both_sizes()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Safetensors.Save(path, Sample());
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^8]);
        var e = Assert.Throws<ModelFileException>(() => Safetensors.Load(path));
        Assert.StartsWith("m.safetensors: truncated: header says", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_safetensors_is_named_as_such()
    {
        var path = Path.Combine(_dir, "notes.safetensors");
        File.WriteAllText(path, "hello, this is a text file and not a model at all");
        var e = Assert.Throws<ModelFileException>(() => Safetensors.Load(path));
        Assert.Contains("notes.safetensors: not a safetensors file", e.Message);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("too short", Assert.Throws<ModelFileException>(() => Safetensors.Load(path)).Message);
    }

    [Fact]
    public void Corrupted_offsets_and_unknown_dtypes_are_rejected()
    {
        var path = Path.Combine(_dir, "bad.safetensors");
        WriteRaw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", new byte[12]);
        Assert.Contains("needs 8 bytes", Assert.Throws<ModelFileException>(() => Safetensors.Load(path)).Message);
        WriteRaw(path, "{\"a\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);
        Assert.Contains("dtype I8", Assert.Throws<ModelFileException>(() => Safetensors.Load(path)).Message);
        WriteRaw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        Assert.Contains("gap or overlap", Assert.Throws<ModelFileException>(() => Safetensors.Load(path)).Message);
    }

    [Fact]
    public void An_interrupted_save_leaves_the_previous_file_intact()
    {
        var path = Path.Combine(_dir, "m.safetensors");
        Safetensors.Save(path, Sample());
        var before = File.ReadAllBytes(path);
        var big = new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(1000, 100) };
        Assert.Throws<IOException>(() => Safetensors.Save(path, big, null, s => new FailingStream(s, 5000)));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(Sample()["0.weight"].ToArray(), Safetensors.Load(path).Tensors["0.weight"].ToArray());
        Assert.Single(Directory.GetFiles(_dir)); // the temporary file was removed
    }

    private static void WriteRaw(string path, string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        File.WriteAllBytes(path, bytes);
    }
}
