using System.Globalization;
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
/// <item><c>csv:PATH</c>: see <see cref="LabeledCsv"/> (TSV too: by the name, or <see cref="DataOptions.Delimiter"/>);</item>
/// <item><c>sklearn:PATH</c>: a CSV in scikit-learn's format (<see cref="SklearnCsv"/>), split like <c>iris</c>;</item>
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
        if (spec.StartsWith("sklearn:", StringComparison.OrdinalIgnoreCase))
            return spec.Length > 8 ? Sklearn(spec[8..], options) : throw new DataSpecException("sklearn data needs sklearn:PATH, got 'sklearn:'");
        int eq = spec.IndexOf('=', StringComparison.Ordinal);
        string name = (eq < 0 ? spec : spec[..eq]).ToLowerInvariant();
        string? dir = eq < 0 ? null : spec[(eq + 1)..];
        return name switch
        {
            "digits" or "iris" when dir is null => Embedded(name, options),
            "xor" when dir is null => Xor(),
            "fashion-mnist" or "fashion_mnist" => FashionMnist(dir, options),
            _ => throw new DataSpecException(
                $"unknown data {Printable.Quote(spec)} (known: digits, iris, xor, fashion-mnist[=DIR], csv:PATH, sklearn:PATH, text:PATH, idx:IMAGES,LABELS)"),
        };
    }

    /// <summary>
    /// The files a SPEC reads (a CSV, an IDX pair, the Fashion-MNIST files found), so callers can
    /// make sure they never write over them; empty for embedded data. Nothing is read.
    /// </summary>
    public static IReadOnlyList<string> InputFiles(string spec, DataOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        spec = spec.Trim();
        if (spec.StartsWith("csv:", StringComparison.OrdinalIgnoreCase)) return spec.Length > 4 ? [spec[4..]] : [];
        if (spec.StartsWith("sklearn:", StringComparison.OrdinalIgnoreCase)) return spec.Length > 8 ? [spec[8..]] : [];
        if (spec.StartsWith("idx:", StringComparison.OrdinalIgnoreCase))
            return [.. spec[4..].Split(',').Select(p => p.Trim()).Where(p => p.Length > 0)];
        int eq = spec.IndexOf('=', StringComparison.Ordinal);
        string name = (eq < 0 ? spec : spec[..eq]).ToLowerInvariant();
        if (name is not ("fashion-mnist" or "fashion_mnist")) return [];
        var folders = eq < 0 ? FashionMnistFolders(options) : [spec[(eq + 1)..]];
        return [.. folders.Where(Directory.Exists).SelectMany(f => FashionMnistStems.Select(stem => FindIdx(f, stem))).OfType<string>()];
    }

    private static readonly string[] FashionMnistStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private static LoadedData Embedded(string name, DataOptions options) => Classes(name, SklearnCsv.LoadEmbedded(name), options);

    private static LoadedData Sklearn(string path, DataOptions options) => Classes("sklearn:" + path, SklearnCsv.Load(path), options, path);

    // A stratified split of a classification table, as scikit-learn's train_test_split(stratify=y).
    private static LoadedData Classes(string name, LabeledData data, DataOptions options, string? path = null)
    {
        var (train, test) = Splits.TrainTestSplit(new Dataset(data.Features, data.Labels), options.TestFraction, new Rng(options.Seed), data.Labels);
        if (train.Count == 0 || test.Count == 0)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{path ?? name}: {data.Labels.Numel} rows are too few to hold out a test fraction of {options.TestFraction} (DataOptions.TestFraction)"));
        if (data.ClassNames.Length < 2)
            throw new DataFormatException($"{path ?? name}: all rows are of one class; a classifier needs at least 2");
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
            if (File.Exists(dir)) throw new DataSpecException($"{dir}: is a file; fashion-mnist=DIR names the folder of the IDX files");
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
        string Find(string stem) => FindIdx(folder, stem) ?? throw new FileNotFoundException($"{folder}: no {stem} (or {stem}.gz) in the fashion-mnist folder", Path.Combine(folder, stem));
        bool flatten = !options.ImagesAsChannels;
        string[] files = [.. FashionMnistStems.Select(Find)];
        var train = IdxImages.Load(files[0], files[1], flatten, options.Limit);
        var test = IdxImages.Load(files[2], files[3], flatten, TestLimit(options.Limit));
        string[] classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
        CheckLabels(train, files[1], classes.Length);
        CheckLabels(test, files[3], classes.Length);
        int[] shape = SampleShape(train, flatten, files[0]), testShape = SampleShape(test, flatten, files[2]);
        if (!shape.SequenceEqual(testShape))
            throw new DataFormatException($"{files[2]}: test images of shape [{string.Join(", ", testShape)}], training images of [{string.Join(", ", shape)}] ({files[0]})");
        return new LoadedData("fashion-mnist", train, test, shape, TaskKind.MultiClass, classes, IsImage: true, []);
    }

    private static LoadedData LoadIdxPair(string files, DataOptions options)
    {
        var parts = files.Split(',');
        if (parts.Length != 2 || parts.Any(p => p.Trim().Length == 0))
            throw new DataSpecException($"idx data needs idx:IMAGES,LABELS, got {Printable.Quote("idx:" + files)}");
        bool flatten = !options.ImagesAsChannels;
        string images = parts[0].Trim(), labelFile = parts[1].Trim();
        var all = IdxImages.Load(images, labelFile, flatten);
        var labels = all.LabelsAsFloats();
        var (tr, te) = Splits.TrainTestIndices(all.Count, options.TestFraction, new Rng(options.Seed), labels);
        if (tr.Length == 0 || te.Length == 0)
            throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{images}: {all.Count} images are too few to hold out a test fraction of {options.TestFraction} (DataOptions.TestFraction)"));
        if (options.Limit is int n)
        {
            tr = tr[..Math.Min(n, tr.Length)];
            te = te[..Math.Min(TestLimit(n)!.Value, te.Length)];
        }
        var train = all.Subset(tr);
        var test = all.Subset(te);
        int classes = (int)labels.Max() + 1;
        if (classes < 2) throw new DataFormatException($"{labelFile}: every label is 0; a classifier needs at least 2 classes");
        return new LoadedData("idx", train, test, SampleShape(all, flatten, images), TaskKind.MultiClass,
            [.. Enumerable.Range(0, classes).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))], IsImage: true, []);
    }

    private static int[] SampleShape(ImageDataset d, bool flatten, string file)
    {
        if (d.Count == 0) throw new DataFormatException($"{file}: the IDX file has no images ({(flatten ? "flattened" : "[1, H, W]")} samples expected)");
        using var scope = TensorScope.Begin();
        return d.Gather([0]).Inputs.Shape.ToArray()[1..];
    }

    // A label past the class names would reach the loss as an index out of range.
    private static void CheckLabels(ImageDataset d, string file, int classes)
    {
        for (int i = 0; i < d.Count; i++)
            if (d.Label(i) >= classes)
                throw new DataFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"{file}: label {d.Label(i)} of image {i} is outside the {classes} classes 0..{classes - 1}"));
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
