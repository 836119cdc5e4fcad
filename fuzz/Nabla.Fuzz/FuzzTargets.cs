using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Nabla.Data;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Fuzz;

/// <summary>
/// The fuzz targets: each feeds one input to one parser of user files through Nabla's public API,
/// the way the <c>nabla</c> tool does. A <see cref="NablaException"/> is the expected answer to a
/// bad input; any other exception (or a hang) is a bug that afl-fuzz reports as a crash. The inputs
/// go through a file in a private folder (on tmpfs when there is one), since these APIs read paths.
/// Nothing here may run Nabla code outside <see cref="Run"/>: instrumented code executed before
/// SharpFuzz maps afl's coverage memory (a static initializer, say) crashes the fork server.
/// </summary>
public static partial class FuzzTargets
{
    /// <summary>The target names, as <c>fuzz/run.sh TARGET SECONDS</c> takes them (each has a seed corpus in fuzz/corpus/TARGET).</summary>
    public static readonly IReadOnlyList<string> Names = ["csv", "tsv", "idx", "idx-gz", "safetensors", "model-spec", "model-metadata"];

    private static readonly string Folder = CreateFolder();

    private static string CreateFolder()
    {
        string root = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        string folder = Directory.CreateDirectory(Path.Combine(root, $"nabla-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(folder, recursive: true); } catch (IOException) { } };
        return folder;
    }

    /// <summary>Runs <paramref name="target"/> on <paramref name="input"/>; returns normally for handled inputs.</summary>
    /// <exception cref="ArgumentException">An unknown target name.</exception>
    public static void Run(string target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            switch (target)
            {
                case "csv": DataSpec.Load("csv:" + Write("input.csv", input), new DataOptions { Seed = 1 }); break;
                case "tsv": DataSpec.Load("csv:" + Write("input.tsv", input), new DataOptions { Seed = 1 }); break;
                case "idx": Images(Write("images.idx", input)); break;
                case "idx-gz": Images(Write("images.idx.gz", input)); break;
                case "safetensors": Safetensors.Load(Write("input.safetensors", input)); break;
                case "model-spec": Spec(Encoding.UTF8.GetString(input)); break;
                case "model-metadata": Metadata(input); break;
                default: throw new ArgumentException($"unknown fuzz target '{target}' (known: {string.Join(", ", Names)})", nameof(target));
            }
        }
        catch (NablaException)
        {
            // The answer to a bad input: one clear error.
        }
    }

    private static string Write(string name, byte[] input)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllBytes(path, input);
        return path;
    }

    private static void Images(string path)
    {
        var data = Idx.Read(path);
        if (data.Shape.Length == 3)
        {
            IdxImages.Load(path, null, flatten: true, limit: 3);
            IdxImages.Load(path, path, flatten: false); // its own labels: a rank-3 file is refused as labels
        }
    }

    // Sizes of 500 or more are skipped: a SPEC may legitimately ask for gigabytes of weights, and the fuzzer
    // would spend its time allocating them instead of exploring the parser.
    private static bool Small(string spec) => LargeNumber().Matches(spec).Count == 0;

    private static void Spec(string spec)
    {
        if (!Small(spec)) return;
        var layers = ModelSpec.Parse(spec);
        ModelSpec.Parse(ModelSpec.Format(layers)); // the canonical text parses again
        try
        {
            ModelBuilder.Build(layers, new Shape(1, 8), new Rng(0));
        }
        catch (ModelSpecException)
        {
        }
        ModelBuilder.Build(layers, new Shape(1, 2, 8, 8), new Rng(0));
    }

    /// <summary>
    /// The input is a model file's metadata as a JSON object of strings. The weights written with it
    /// are those of the architecture it names when that builds small, else of a fixed model, so that
    /// both the metadata checks and the weights-against-architecture checks are reached.
    /// </summary>
    private static void Metadata(byte[] input)
    {
        Dictionary<string, string>? meta;
        try
        {
            meta = JsonSerializer.Deserialize<Dictionary<string, string>>(input);
        }
        catch (JsonException)
        {
            return; // not the metadata's format: System.Text.Json is not under test
        }
        if (meta is null) return;
        IEnumerable<KeyValuePair<string, Tensor>> weights = ModelBuilder.Build(ModelSpec.Parse("dense(4,relu) dense(3)"), new Shape(1, 4), new Rng(0)).StateDict();
        try
        {
            if (meta.TryGetValue("nabla.architecture", out var arch) && Small(arch)
                && meta.TryGetValue("nabla.input_shape", out var shapeText)
                && JsonSerializer.Deserialize<int[]>(shapeText) is { Length: >= 2 and <= 4 } shape
                && shape.All(d => d is >= 1 and <= 64) && shape.Aggregate(1L, (a, d) => a * d) <= 4096)
                weights = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(shape), new Rng(0)).StateDict();
        }
        catch (Exception e) when (e is JsonException or NablaException)
        {
        }
        string path = Path.Combine(Folder, "model.safetensors");
        Safetensors.Save(path, weights, meta);
        ModelFile.Load(path);
    }

    [GeneratedRegex(@"\d{4,}|[5-9]\d{2}")]
    private static partial Regex LargeNumber();
}
