using Nabla.Autograd;
using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tests.Data;

[Collection(ProcessWideStateCollection.Name)]
public class DataLayerTests
{
    private static string Temp(string name, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"nabla-{Environment.ProcessId}-{name}");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Csv_reader_detects_a_header_and_splits_the_label_column()
    {
        var path = Temp("h.csv", "a,b,label\n1,2,0\n3.5,-4e1,1\n\n");
        var t = CsvReader.Read(path);
        Assert.Equal(["a", "b", "label"], t.Header!);
        Assert.Equal(2, t.Rows);
        var (x, y) = t.SplitLabel();
        Assert.Equal([1f, 2f, 3.5f, -40f], x.ToArray());
        Assert.Equal([0f, 1f], y.ToArray());
        var (x0, y0) = t.SplitLabel(0);
        Assert.Equal([2f, 0f, -40f, 1f], x0.ToArray());
        Assert.Equal([1f, 3.5f], y0.ToArray());
    }

    [Theory]
    [InlineData("1,2,3\n4,5\n", ":2:3: expected 3 fields, found 2")]
    [InlineData("1,2,3\n4,x5,6\n", ":2:2: 'x5' is not a number")]
    [InlineData("1,2,3\n4,5,NaN\n", ":2:3: 'NaN' is not a finite number")]
    [InlineData("1,2,3\nInfinity,5,6\n", ":2:1: 'Infinity' is not a finite number")]
    public void Csv_errors_name_file_line_and_column(string text, string expected)
    {
        var path = Temp("bad.csv", text);
        var ex = Assert.Throws<DataFormatException>(() => CsvReader.Read(path, hasHeader: false));
        Assert.Equal(path + expected, ex.Message);
    }

    [Fact]
    public void Sklearn_csvs_load_with_counts_class_names_and_gzip()
    {
        var iris = SklearnCsv.Load(TestData.Path_("sklearn", "iris.csv"));
        Assert.Equal(new Shape(150, 4), iris.Features.Shape);
        Assert.Equal(["setosa", "versicolor", "virginica"], iris.ClassNames);
        Assert.Equal(5.1f, iris.Features[0, 0]);
        Assert.Equal(2f, iris.Labels[149]);
        var digits = SklearnCsv.Load(TestData.Path_("sklearn", "digits.csv.gz"));
        Assert.Equal(new Shape(1797, 64), digits.Features.Shape);
        Assert.Equal(10, digits.ClassNames.Length);
        Assert.Equal(0f, digits.Labels[0]);
        var cancer = SklearnCsv.Load(TestData.Path_("sklearn", "breast_cancer.csv"));
        Assert.Equal(new Shape(569, 30), cancer.Features.Shape);
        Assert.Equal(["malignant", "benign"], cancer.ClassNames);
    }

    [Fact]
    public void Sklearn_header_with_the_wrong_row_count_is_reported()
    {
        var path = Temp("sk.csv", "3,2,a,b\n1,2,0\n3,4,1\n");
        var ex = Assert.Throws<DataFormatException>(() => SklearnCsv.Load(path));
        Assert.Contains("announces 3 rows, the file has 2", ex.Message);
    }

    [Fact]
    public void Idx_reader_reads_fashion_mnist_labels_and_images_with_shapes()
    {
        var labels = Idx.Read(TestData.Path_("fashion-mnist", "t10k-labels-idx1-ubyte.gz"));
        Assert.Equal([10000], labels.Shape);
        Assert.All(labels.Data, b => Assert.InRange(b, (byte)0, (byte)9));
        var images = Idx.Read(TestData.Path_("fashion-mnist", "t10k-images-idx3-ubyte.gz"));
        Assert.Equal([10000, 28, 28], images.Shape);
        Assert.Equal(10000 * 784, images.Data.Length);
    }

    [Fact]
    public void Idx_reader_rejects_a_wrong_magic_and_a_truncated_file()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"nabla-{Environment.ProcessId}-bad.idx");
        File.WriteAllBytes(bad, [0, 0, 0x0D, 1, 0, 0, 0, 1, 5]);
        Assert.Contains("magic number 0x00000D01", Assert.Throws<DataFormatException>(() => Idx.Read(bad)).Message);
        File.WriteAllBytes(bad, [0, 0, 8, 1, 0, 0, 0, 3, 5]);
        Assert.Contains("file ends after 1 of the 3 data bytes", Assert.Throws<DataFormatException>(() => Idx.Read(bad)).Message);
        File.WriteAllBytes(bad, [0, 0, 8, 1, 0, 0, 0, 2, 5, 7]);
        Assert.Equal([5, 7], Idx.Read(bad).Data);
    }

    [Fact]
    public void Stratified_split_keeps_class_proportions_and_partitions_the_rows()
    {
        var labels = Enumerable.Range(0, 200).Select(i => i < 150 ? 0f : 1f).ToArray();
        var (train, test) = Splits.TrainTestIndices(200, 0.2, new Rng(1), labels);
        Assert.Equal(40, test.Length);
        Assert.Equal(30, test.Count(i => labels[i] == 0));
        Assert.Equal(10, test.Count(i => labels[i] == 1));
        Assert.Equal(Enumerable.Range(0, 200), train.Concat(test).Order());
        var ds = new Dataset(Tensor.Arange(200).Reshape(200, 1), Tensor.FromArray(labels, 200));
        var (tr, va, te) = Splits.TrainValidationTestSplit(ds, 0.1, 0.2, new Rng(2), ds.Y);
        Assert.Equal((140, 20, 40), (tr.Count, va.Count, te.Count));
        Assert.Equal(5, va.Y.ToArray().Count(v => v == 1));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (float)i), tr.X.ToArray().Concat(va.X.ToArray()).Concat(te.X.ToArray()).Order());
    }

    [Fact]
    public void Standardizer_uses_population_std_guards_constant_features_and_inverts()
    {
        var x = Tensor.FromArray([1f, 5f, 3f, 5f], 2, 2);
        var s = Standardizer.Fit(x);
        Assert.Equal([2f, 5f], s.Mean.ToArray());
        Assert.Equal([1f, 1f], s.Std.ToArray()); // population std of (1, 3) is 1; constant column → 1
        var z = s.Transform(x);
        Assert.Equal([-1f, 0f, 1f, 0f], z.ToArray());
        Assert.Equal(x.ToArray(), s.InverseTransform(z).ToArray());
        var restored = Standardizer.FromStateDict(s.StateDict());
        Assert.Equal(z.ToArray(), restored.Transform(x).ToArray());
        Assert.Throws<ShapeMismatchException>(() => s.Transform(Tensor.Zeros(2, 3)));
    }

    [Fact]
    public void One_hot_encodes_class_indices_and_rejects_bad_labels()
    {
        Assert.Equal([0f, 1f, 0f, 0f, 0f, 1f], Encode.OneHot(Tensor.FromArray([1f, 2f], 2), 3).ToArray());
        Assert.Contains("label 3 at position 1", Assert.Throws<ArgumentOutOfRangeException>(() => Encode.OneHot(Tensor.FromArray([1f, 3f], 2), 3)).Message);
    }

    [Fact]
    public void Data_loader_shuffles_each_epoch_covers_every_row_and_drops_the_last_batch()
    {
        var ds = new Dataset(Tensor.Arange(10).Reshape(10, 1), Tensor.Arange(10));
        var loader = new DataLoader(ds, 4, shuffle: true, rng: new Rng(3), dropLast: true);
        Assert.Equal((2, 8), (loader.BatchCount, loader.SampleCount));
        var epochs = new List<float[]>();
        for (int e = 0; e < 2; e++)
        {
            loader.StartEpoch();
            var seen = new List<float>();
            for (int b = 0; b < loader.BatchCount; b++)
            {
                var (x, y) = loader.GetBatch(b);
                Assert.Equal(x.ToArray(), y.ToArray());
                seen.AddRange(x.ToArray());
            }
            epochs.Add([.. seen]);
        }
        Assert.Equal(8, epochs[0].Distinct().Count());
        Assert.NotEqual(epochs[0], epochs[1]);
        var plain = new DataLoader(ds, 4);
        Assert.Equal(3, plain.BatchCount);
        Assert.Equal([8f, 9f], plain.GetBatch(2).Inputs.ToArray());
        Assert.Throws<ArgumentException>(() => new DataLoader(ds, 4, shuffle: true));
    }

    [Fact]
    public void Image_dataset_converts_bytes_per_batch_and_an_autoencoder_set_targets_the_images()
    {
        var ds = new ImageDataset([0, 255, 51, 102], [2], [7, 3]);
        var (x, y) = ds.Gather([1, 0]);
        Assert.Equal([51 * (1f / 255), 102 * (1f / 255), 0f, 255 * (1f / 255)], x.ToArray());
        Assert.Equal([3f, 7f], y.ToArray());
        var auto = new ImageDataset([0, 255, 51, 102], [2], null);
        var (ax, ay) = auto.Gather([0]);
        Assert.Same(ax, ay);
        Assert.Equal(3, ds.Subset([1]).Label(0));
    }

    [Fact]
    public void A_steady_state_data_loader_batch_allocates_only_its_two_tensor_objects()
    {
        var ds = IdxImages.Load(TestData.Path_("fashion-mnist", "t10k-images-idx3-ubyte.gz"), TestData.Path_("fashion-mnist", "t10k-labels-idx1-ubyte.gz"), limit: 1000);
        var loader = new DataLoader(ds, 64, shuffle: true, rng: new Rng(4));
        void Epoch()
        {
            loader.StartEpoch();
            for (int b = 0; b < loader.BatchCount; b++)
                using (TensorScope.Begin()) loader.GetBatch(b);
        }
        Epoch();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Epoch();
        long perBatch = (GC.GetAllocatedBytesForCurrentThread() - before) / loader.BatchCount;
        AllocationProbe.AtMostTensorObjects(perBatch, 2, "a data loader batch");
    }
}
