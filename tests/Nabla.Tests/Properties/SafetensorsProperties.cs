using CsCheck;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Tests.Properties;

/// <summary>Safetensors round trips over random contents (CsCheck): every bit of every tensor and every metadata string comes back.</summary>
public sealed class SafetensorsProperties : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-st-prop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Names and metadata from a wide alphabet: ASCII, dots, non-Latin letters, quotes, control characters.
    private static readonly Gen<string> Text = Gen.String[Gen.Char["abcXYZ019._-\"\\/ é日\u0001\u001b\n"], 0, 12];

    private static readonly Gen<(int[] Shape, int[] Bits)> Tensors =
        from shape in Gen.Int[0, 3].Array[0, 4]
        from bits in Gen.Int.Array[shape.Aggregate(1, (p, d) => p * d)]
        select (shape, bits);

    [Fact]
    public void Saving_and_loading_returns_every_bit_name_and_metadata_entry()
    {
        int file = 0;
        Gen.Select(Gen.Dictionary(Text.Where(n => n.Length > 0 && n != "__metadata__"), Tensors)[0, 6], Gen.Dictionary(Text, Text)[0, 5]).Sample(t =>
        {
            var (tensors, meta) = t;
            // Raw bit patterns: NaNs with payloads, infinities, subnormals, -0 must all survive.
            var saved = tensors.ToDictionary(kv => kv.Key, kv => Tensor.FromArray([.. kv.Value.Bits.Select(BitConverter.Int32BitsToSingle)], kv.Value.Shape));
            string path = Path.Combine(_dir, $"p{file++}.safetensors");
            Safetensors.Save(path, saved, meta);
            var loaded = Safetensors.Load(path);
            Assert.Equal(saved.Keys, loaded.Tensors.Keys);
            foreach (var (name, tensor) in saved)
            {
                Assert.Equal(tensor.Shape.ToArray(), loaded.Tensors[name].Shape.ToArray());
                Assert.Equal(tensor.ToArray().Select(BitConverter.SingleToInt32Bits), loaded.Tensors[name].ToArray().Select(BitConverter.SingleToInt32Bits));
            }
            Assert.Equal(meta.OrderBy(kv => kv.Key, StringComparer.Ordinal), loaded.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal));
            // The header is padded to a multiple of 8 bytes, as the format recommends (aligned tensor data).
            Assert.Equal(0, (new FileInfo(path).Length - 8 - saved.Values.Sum(x => 4L * x.Numel)) % 8);
        }, iter: 200, threads: 1);
    }
}
