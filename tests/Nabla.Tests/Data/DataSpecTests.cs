using Nabla.Data;

namespace Nabla.Tests.Data;

public sealed class DataSpecTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-dataspec-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Csv(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Rows x, y, label with <paramref name="classes"/> labels in turn.</summary>
    private string Labelled(string name, params string[] classes) =>
        Csv(name, "x,y,label\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i},{i % 7},{classes[i % classes.Length]}\n")));

    [Fact]
    public void Iris_is_split_with_the_seed_stratified_and_cut_to_the_limit()
    {
        var full = DataSpec.Load("iris", new DataOptions { Seed = 4 });
        Assert.Equal((120, 30), (full.Train.Count, full.Test.Count));
        Assert.Equal([4], full.SampleShape);
        Assert.Equal(TaskKind.MultiClass, full.Task);
        var again = DataSpec.Load("iris", new DataOptions { Seed = 4 });
        Assert.Equal(((Dataset)full.Train).Y.ToArray(), ((Dataset)again.Train).Y.ToArray());

        var limited = DataSpec.Load("iris", new DataOptions { Seed = 4, Limit = 10 });
        Assert.Equal((10, 2), (limited.Train.Count, limited.Test.Count));
    }

    [Fact]
    public void Unknown_specs_list_the_known_ones()
    {
        var e = Assert.Throws<DataSpecException>(() => DataSpec.Load("mnist-ish", new DataOptions()));
        Assert.Equal("unknown data 'mnist-ish' (known: digits, iris, xor, fashion-mnist[=DIR], csv:PATH, sklearn:PATH, text:PATH, idx:IMAGES,LABELS)", e.Message);
    }

    [Fact]
    public void A_limit_below_one_names_the_option_property()
    {
        var e = Assert.Throws<DataSpecException>(() => DataSpec.Load("xor", new DataOptions { Limit = 0 }));
        Assert.Equal("the limit (DataOptions.Limit) must be at least 1, got 0", e.Message);
    }

    [Fact]
    public void Csv_option_mistakes_name_the_file_and_the_option_properties()
    {
        string two = Labelled("two.csv", "a", "b");
        var e = Assert.Throws<DataSpecException>(() => DataSpec.Load("csv:" + two, new DataOptions { Label = "x,label", LabelSeparator = ";" }));
        Assert.Equal($"{two}: a label separator (DataOptions.LabelSeparator) needs exactly one label column (DataOptions.Label), got 2: x, label", e.Message);

        e = Assert.Throws<DataSpecException>(() => DataSpec.Load("csv:" + two, new DataOptions { Task = TaskKind.MultiLabel }));
        Assert.Equal($"{two}: a multilabel task (DataOptions.Task) with one label column needs a label separator (DataOptions.LabelSeparator)", e.Message);

        string three = Labelled("three.csv", "a", "b", "c");
        e = Assert.Throws<DataSpecException>(() => DataSpec.Load("csv:" + three, new DataOptions { Task = TaskKind.Binary }));
        Assert.Equal($"{three}: a binary task (DataOptions.Task) needs 2 classes, the label column has 3", e.Message);
    }

    [Fact]
    public void A_label_outside_the_known_classes_names_the_place_and_the_classes()
    {
        string three = Labelled("three.csv", "a", "b", "c");
        var e = Assert.Throws<DataFormatException>(() => DataSpec.Load("csv:" + three, new DataOptions { KnownClasses = ["a", "b"] }));
        Assert.Equal($"{three}:4:3: unknown label 'c' (DataOptions.KnownClasses are a, b)", e.Message);
    }

    [Fact]
    public void A_label_separator_makes_one_column_multi_label()
    {
        string tags = Labelled("tags.csv", "hot;wet", "wet", "hot");
        var data = DataSpec.Load("csv:" + tags, new DataOptions { LabelSeparator = ";" });
        Assert.Equal(TaskKind.MultiLabel, data.Task);
        Assert.Equal(["hot", "wet"], data.ClassNames);
        Assert.Equal(30, data.Train.Count + data.Test.Count);
    }
}
