using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Resolves a data SPEC — a short text naming a data source and how to split it, the data
/// counterpart of the model SPEC that <c>ModelSpec</c> parses — to train and test data. Code gets
/// exactly the split the <c>nabla</c> tool trains on (which takes the same SPECs and records them in
/// model files) with <c>DataSpec.Load(spec, new DataOptions { Seed = seed })</c>. The SPECs:
/// <list type="bullet">
/// <item><c>digits</c>, <c>iris</c>: embedded sets, a stratified test split of <see cref="DataOptions.TestFraction"/> drawn with the seed;</item>
/// <item><c>xor</c>: the four XOR rows (test = train);</item>
/// <item><c>fashion-mnist[=DIR]</c>: IDX files (gzipped or not) from DIR, <c>$NABLA_DATA/fashion-mnist</c>,
/// <c>~/.nabla/datasets/fashion-mnist</c> or <c>/usr/share/datasets/fashion-mnist</c>;</item>
/// <item><c>idx:IMAGES,LABELS</c>: one pair of IDX files, split like a CSV;</item>
/// <item><c>csv:PATH</c>: see <see cref="LabeledCsv"/>;</item>
/// <item><c>text:PATH</c>: texts and labels from a CSV or TSV file, see <see cref="Text.LabeledText"/>.</item>
/// </list>
/// </summary>
public static class DataSpec
{
    /// <summary>The folders searched for <c>fashion-mnist</c> when no DIR is given, in order.</summary>
    public static IReadOnlyList<string> FashionMnistFolders(DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folders = new List<string>();
        if (!string.IsNullOrEmpty(options.DataRoot)) folders.Add(Path.Combine(options.DataRoot, "fashion-mnist"));
        folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nabla", "datasets", "fashion-mnist"));
        folders.Add("/usr/share/datasets/fashion-mnist");
        return folders;
    }

    /// <summary>Loads the data named by <paramref name="spec"/>.</summary>
    /// <exception cref="DataSpecException">An unknown SPEC or a bad option (the message names the <see cref="DataOptions"/> property, e.g. <c>DataOptions.Limit</c>).</exception>
    /// <exception cref="FileNotFoundException">A file of the SPEC does not exist.</exception>
    /// <exception cref="DataFormatException">A malformed file; names file, line and column.</exception>
    public static LoadedData Load(string spec, DataOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Limit is < 1) throw new DataSpecException($"the limit (DataOptions.Limit) must be at least 1, got {options.Limit}");
        spec = spec.Trim();
        if (spec.StartsWith("text:", StringComparison.OrdinalIgnoreCase))
            return spec.Length > 5 ? Text.LabeledText.Load(spec[5..], options) : throw new DataSpecException("text data needs text:PATH, got 'text:'");
        if (options.TextColumn is not null)
            throw new DataSpecException($"a text column (DataOptions.TextColumn) applies to text:PATH data, not '{spec}'");
        if (spec.StartsWith("csv:", StringComparison.OrdinalIgnoreCase))
            return spec.Length > 4 ? LabeledCsv.Load(spec[4..], options) : throw new DataSpecException("csv data needs csv:PATH, got 'csv:'");
        if (spec.StartsWith("idx:", StringComparison.OrdinalIgnoreCase)) return LoadIdxPair(spec[4..], options);
        int eq = spec.IndexOf('=', StringComparison.Ordinal);
        string name = (eq < 0 ? spec : spec[..eq]).ToLowerInvariant();
        string? dir = eq < 0 ? null : spec[(eq + 1)..];
        return name switch
        {
            "digits" or "iris" when dir is null => Embedded(name, options),
            "xor" when dir is null => Xor(),
            "fashion-mnist" or "fashion_mnist" => FashionMnist(dir, options),
            _ => throw new DataSpecException(
                $"unknown data '{spec}' (known: digits, iris, xor, fashion-mnist[=DIR], csv:PATH, text:PATH, idx:IMAGES,LABELS)"),
        };
    }

    private static LoadedData Embedded(string name, DataOptions options)
    {
        var data = SklearnCsv.LoadEmbedded(name);
        var (train, test) = Splits.TrainTestSplit(new Dataset(data.Features, data.Labels), options.TestFraction, new Rng(options.Seed), data.Labels);
        return new LoadedData(name, Limit(train, options.Limit), LimitTest(test, options.Limit), [data.Features.Shape[1]],
            TaskKind.MultiClass, data.ClassNames, IsImage: false, []);
    }

    private static LoadedData Xor()
    {
        var x = Tensor.FromArray([0f, 0, 0, 1, 1, 0, 1, 1], 4, 2);
        var y = Tensor.FromArray([0f, 1, 1, 0], 4, 1);
        var d = new Dataset(x, y);
        return new LoadedData("xor", d, d, [2], TaskKind.Binary, ["0", "1"], IsImage: false, []);
    }

    private static LoadedData FashionMnist(string? dir, DataOptions options)
    {
        string folder;
        if (dir is not null)
        {
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"fashion-mnist folder not found: {dir}");
            folder = dir;
        }
        else
        {
            var candidates = FashionMnistFolders(options);
            folder = candidates.FirstOrDefault(f => FindIdx(f, "train-images-idx3-ubyte") is not null)
                ?? throw new FileNotFoundException(
                    $"Fashion-MNIST not found in {string.Join(", ", candidates)}; install it with `apt-get install dataset-fashion-mnist` or name its folder in the SPEC: fashion-mnist=DIR");
        }
        string File(string stem) => FindIdx(folder, stem) ?? throw new FileNotFoundException($"{folder}: no {stem} (or {stem}.gz) in the fashion-mnist folder", Path.Combine(folder, stem));
        bool flatten = !options.ImagesAsChannels;
        var train = IdxImages.Load(File("train-images-idx3-ubyte"), File("train-labels-idx1-ubyte"), flatten, options.Limit);
        var test = IdxImages.Load(File("t10k-images-idx3-ubyte"), File("t10k-labels-idx1-ubyte"), flatten, TestLimit(options.Limit));
        string[] classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
        return new LoadedData("fashion-mnist", train, test, SampleShape(train, flatten), TaskKind.MultiClass, classes, IsImage: true, []);
    }

    private static LoadedData LoadIdxPair(string files, DataOptions options)
    {
        var parts = files.Split(',');
        if (parts.Length != 2 || parts.Any(p => p.Trim().Length == 0))
            throw new DataSpecException($"idx data needs idx:IMAGES,LABELS, got 'idx:{files}'");
        bool flatten = !options.ImagesAsChannels;
        var all = IdxImages.Load(parts[0].Trim(), parts[1].Trim(), flatten);
        var labels = all.LabelsAsFloats();
        var (tr, te) = Splits.TrainTestIndices(all.Count, options.TestFraction, new Rng(options.Seed), labels);
        if (options.Limit is int n)
        {
            tr = tr[..Math.Min(n, tr.Length)];
            te = te[..Math.Min(TestLimit(n)!.Value, te.Length)];
        }
        var train = all.Subset(tr);
        var test = all.Subset(te);
        int classes = (int)labels.Max() + 1;
        return new LoadedData("idx", train, test, SampleShape(all, flatten), TaskKind.MultiClass,
            [.. Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))], IsImage: true, []);
    }

    private static int[] SampleShape(ImageDataset d, bool flatten)
    {
        if (d.Count == 0) throw new DataFormatException($"the IDX file has no images ({(flatten ? "flattened" : "[1, H, W]")} samples expected)");
        using var scope = TensorScope.Begin();
        return d.Gather([0]).Inputs.Shape.ToArray()[1..];
    }

    private static string? FindIdx(string folder, string stem)
    {
        foreach (var candidate in new[] { stem, stem + ".gz" })
        {
            string p = Path.Combine(folder, candidate);
            if (System.IO.File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The test-set size for a training limit: max(1, N/5).</summary>
    internal static int? TestLimit(int? limit) => limit is int n ? Math.Max(1, n / 5) : null;

    internal static Dataset Limit(Dataset d, int? limit) =>
        limit is int n && n < d.Count ? d.Subset([.. Enumerable.Range(0, n)]) : d;

    internal static Dataset LimitTest(Dataset d, int? limit) => Limit(d, TestLimit(limit));
}
