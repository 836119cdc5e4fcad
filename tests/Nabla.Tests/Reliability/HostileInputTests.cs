using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Nabla.IO;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Reliability;

/// <summary>
/// The hostile and careless inputs of issue 20, each through the real command line: a user's
/// mistake is exit code 2 and one line naming the file (never exit 1, a .NET type name, a
/// <c>(Parameter 'x')</c> or a raw control character), and nothing wrong is silently accepted.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private string Text(string name, string text)
    {
        File.WriteAllText(P(name), text);
        return P(name);
    }

    private string Bytes(string name, byte[] bytes)
    {
        File.WriteAllBytes(P(name), bytes);
        return P(name);
    }

    /// <summary>Exit 2, one line containing <paramref name="fragment"/>, and nothing of .NET's internals.</summary>
    private static void Refused((int Code, string Out, string Err) r, string fragment)
    {
        AssertUserError(r, fragment);
        foreach (var leak in new[] { "(Parameter '", "System.", "`1[", "Exception" })
            Assert.DoesNotContain(leak, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(r.Err, c => c < ' ' && c != '\n' && c != '\r');
    }

    private static byte[] Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(text));
        return ms.ToArray();
    }

    private static string Rows(int n, Func<int, string> row) => string.Concat(Enumerable.Range(0, n).Select(i => row(i) + "\n"));

    [Fact]
    public void A_truncated_gzip_file_is_an_error_naming_it_not_half_the_rows()
    {
        string text = "a,b,label\n" + Rows(3000, i => $"{i % 13},{i % 7},{i % 3}");
        var full = Gzip(text);
        foreach (int cut in new[] { full.Length - 4, full.Length - 8, full.Length / 2 })
        {
            string gz = Bytes($"cut{cut}.csv.gz", full[..cut]);
            Refused(Run("train", "--data", "csv:" + gz, "--epochs", "1"), $"cut{cut}.csv.gz: the gzip data is truncated");
        }
        Assert.Equal(0, Run("train", "--data", "csv:" + Bytes("whole.csv.gz", full), "--epochs", "1", "--json").Code);
    }

    [Fact]
    public void Garbage_or_plain_text_named_gz_is_an_error_naming_the_file()
    {
        Refused(Run("train", "--data", "csv:" + Bytes("garbage.csv.gz", [0x1F, 0x8B, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])), "garbage.csv.gz: not a valid gzip file");
        Refused(Run("train", "--data", "csv:" + Text("plain.csv.gz", "a,b,label\n1,2,x\n")), "plain.csv.gz: not a valid gzip file: it does not start with the gzip signature");
        string images = Text("plain-images.gz", "not an idx file");
        Refused(Run("train", "--data", $"idx:{images},{images}"), "plain-images.gz: not a valid gzip file");
    }

    private static byte[] IdxFile(int[] shape, int dataBytes, int extra = 0)
    {
        var bytes = new byte[4 + 4 * shape.Length + dataBytes + extra];
        bytes[2] = 0x08;
        bytes[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
        for (int i = 0; i < dataBytes; i++) bytes[4 + 4 * shape.Length + i] = (byte)(i % 2);
        return bytes;
    }

    [Fact]
    public void Idx_files_with_no_images_trailing_bytes_or_overflowing_dimensions_are_errors_naming_the_file()
    {
        string labels = Bytes("labels.idx", IdxFile([0], 0));
        Refused(Run("train", "--data", $"idx:{Bytes("empty.idx", IdxFile([0, 28, 28], 0))},{labels}"), "empty.idx: the IDX file has no images");
        string goodLabels = Bytes("labels10.idx", IdxFile([10], 10));
        Refused(Run("train", "--data", $"idx:{Bytes("long.idx", IdxFile([10, 2, 2], 40, extra: 3))},{goodLabels}"), "long.idx: 3 bytes follow the 40 data bytes");
        Refused(Run("train", "--data", $"idx:{Bytes("huge.idx", IdxFile([65536, 65536, 65536], 0))},{goodLabels}"), "huge.idx: the dimensions [65536, 65536, 65536] make more values than one array holds");
        Refused(Run("train", "--data", $"idx:{Bytes("wide.idx", IdxFile([0, 65536, 65536], 0))},{labels}"), "wide.idx: the IDX file has no images");
        Refused(Run("train", "--data", $"idx:{Bytes("ten.idx", IdxFile([10, 2, 2], 40))},{Bytes("nine.idx", IdxFile([9], 9))}"), "nine.idx: 9 labels for the 10 images of");
        Refused(Run("train", "--data", $"idx:{_dir},{goodLabels}"), $"{_dir}: is a folder, not a file");
    }

    [Fact]
    public void Fashion_mnist_labels_out_of_range_and_images_of_another_size_name_the_file()
    {
        string dir = Directory.CreateDirectory(P("fm")).FullName;
        void Write(string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(dir, name), bytes);
        Write("train-images-idx3-ubyte", IdxFile([20, 4, 4], 320));
        Write("t10k-images-idx3-ubyte", IdxFile([10, 3, 3], 90));
        var labels = IdxFile([20], 20);
        labels[^1] = 12;
        Write("train-labels-idx1-ubyte", labels);
        Write("t10k-labels-idx1-ubyte", IdxFile([10], 10));
        Refused(Run("train", "--data", "fashion-mnist=" + dir), "train-labels-idx1-ubyte: label 12 of image 19 is outside the 10 classes 0..9");
        Write("train-labels-idx1-ubyte", IdxFile([20], 20));
        Refused(Run("train", "--data", "fashion-mnist=" + dir), "t10k-images-idx3-ubyte: test images of shape [9], training images of [16]");
    }

    private string Safetensors(string name, string header, int dataBytes = 0, bool rawHeader = false, byte[]? headerBytes = null)
    {
        var h = headerBytes ?? Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        _ = rawHeader;
        return Bytes(name, bytes);
    }

    [Fact]
    public void Damaged_safetensors_headers_are_errors_naming_the_file()
    {
        byte[] invalidUtf8 = [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        Refused(Run("inspect", Safetensors("utf8.safetensors", "", headerBytes: invalidUtf8)), "utf8.safetensors: not a safetensors file: the header is not valid UTF-8 text");
        // 2³⁰ · 2³⁰ · 2³⁰ · 2⁶ · 4 bytes wraps around a 64-bit count to 0.
        Refused(Run("inspect", Safetensors("wrap.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1073741824,1073741824,1073741824,64],\"data_offsets\":[0,0]}}")),
            "wrap.safetensors: tensor 'w' of shape [1073741824, 1073741824, 1073741824, 64] has more elements than one tensor holds");
        Refused(Run("inspect", Safetensors("twice.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)),
            "twice.safetensors: corrupted: the header names 'w' twice");
        Refused(Run("inspect", _dir), "is a folder, not a model file");
    }

    [Fact]
    public void Model_files_with_malformed_metadata_or_a_huge_input_shape_are_errors_naming_the_file()
    {
        string model = P("m.safetensors");
        Ok("train", "--data", "iris", "--epochs", "1", "--out", model, "--json");
        var content = Nabla.IO.Safetensors.Load(model);
        string Damaged(string name, string key, string value)
        {
            var meta = content.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
            meta[key] = value;
            Nabla.IO.Safetensors.Save(P(name), content.Tensors, meta);
            return P(name);
        }
        Refused(Run("inspect", Damaged("json.safetensors", "nabla.classes", "[\"setosa\", ")), "json.safetensors: metadata nabla.classes is not a JSON list of names");
        Refused(Run("inspect", Damaged("shape31.safetensors", "nabla.input_shape", "[1, 2147483648]")), "shape31.safetensors: metadata nabla.input_shape is not a JSON list of sizes");
        Refused(Run("inspect", Damaged("shape.safetensors", "nabla.input_shape", "[1, 2147483647]")), "shape.safetensors: input_shape [1, 2147483647] declares 2,147,483,647 values per sample");
        Refused(Run("predict", "--model", Damaged("std.safetensors", "nabla.input_std", "[1, 0, 1, 1]"), "--input", Text("x.csv", "1,2,3,4\n")), "std.safetensors: input_std[1] is 0");
        Refused(Run("evaluate", "--model", Damaged("scale.safetensors", "nabla.input_scale", "NaN")), "scale.safetensors: input_scale NaN is not a positive number");
        Refused(Run("inspect", Damaged("dup.safetensors", "nabla.classes", "[\"a\", \"a\", \"b\"]")), "dup.safetensors: classes names 'a' twice");
        Refused(Run("inspect", Damaged("few.safetensors", "nabla.classes", "[\"a\", \"b\"]")), "few.safetensors: the network has 3 outputs, its multiclass metadata describes 2");
        var nan = content.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        nan["0.weight"].AsSpan()[0] = float.NaN;
        Nabla.IO.Safetensors.Save(P("nan.safetensors"), nan, content.Metadata);
        Refused(Run("predict", "--model", P("nan.safetensors"), "--input", P("x.csv")), "nan.safetensors: tensor '0.weight' holds NaN at index 0");
    }

    [Fact]
    public void A_layer_too_large_for_one_tensor_is_an_error_not_a_crash()
    {
        Refused(Run("train", "--data", "iris", "--model", "dense(2000000000)"), "dense(2000000000): 4 inputs × 2000000000 units = 8,000,000,000 weights, more than one tensor holds");
        Refused(Run("train", "--data", "iris", "--model", "dense(99999999999)"), "is not a whole number");
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_reported_with_the_limit()
    {
        // One line of 8 Mi + 1 characters (the reader stops at the limit, it never holds the whole line).
        string path = P("one-line.csv");
        using (var w = new StreamWriter(path)) w.Write(new string('7', (8 << 20) + 1));
        Refused(Run("train", "--data", "csv:" + path), "one-line.csv:1:1: the record is longer than 8,388,608 characters, the most one CSV line may hold");
    }

    [Fact]
    public void Control_characters_in_a_cell_reach_the_message_escaped()
    {
        string csv = Text("ansi.csv", "a,b,label\n1,2,x\n3,\u001b[2J\u001b[31mred\u0007,y\n");
        var r = Run("train", "--data", "csv:" + csv);
        Refused(r, "ansi.csv:3:2: '\\x1B[2J\\x1B[31mred\\x07' is not a number");
        string label = Text("ansi-label.csv", "a,b,label\n1,2,x\n3,4,\u001b]0;pwned\u0007\n");
        Refused(Run("train", "--data", "csv:" + label), "holds control characters");
    }

    [Fact]
    public void Wrong_labels_are_refused_naming_the_cell()
    {
        string body = Rows(20, i => $"{i},{i % 3}");
        Refused(Run("train", "--data", "csv:" + Text("nan.csv", "a,b,label\n" + Rows(19, i => $"{i},{i % 3},{i % 2}") + "5,5,NaN\n")), "nan.csv:21:3: the label 'NaN' is not a value (a missing label?)");
        Refused(Run("train", "--data", "csv:" + Text("one.csv", "a,b,label\n" + Rows(20, i => $"{i},{i % 3},cat"))), "one.csv: every row has the label 'cat' in column 'label': a classifier needs at least 2 classes");
        Refused(Run("train", "--data", "csv:" + Text("dup.csv", "a,a,label\n" + Rows(20, i => $"{i},{i % 3},{i % 2}"))), "dup.csv:1:2: the column name 'a' is used by columns 1 and 2");
        string stray = Text("stray.csv", "x,y,hot,wet\n" + Rows(40, i => $"{i},{i % 5},{i % 2},{(i == 17 ? 2 : (i / 2) % 2)}"));
        Refused(Run("train", "--data", "csv:" + stray, "--label", "hot,wet"), "column 'wet' holds '2' at " + stray + ":19:4");
        _ = body;
    }

    [Fact]
    public void Too_few_rows_for_a_test_split_is_an_error_not_testing_on_the_training_rows()
    {
        Refused(Run("train", "--data", "csv:" + Text("tiny.csv", "a,label\n1,x\n2,y\n3,x\n")), "tiny.csv: 3 data rows are too few to hold out a test fraction of 0.2");
    }

    [Fact]
    public void A_learning_rate_that_explodes_the_loss_stops_training_with_exit_2()
    {
        string model = P("lr.safetensors");
        var r = Run("train", "--data", "iris", "--lr", "1e10", "--epochs", "5", "--out", model);
        Refused(r, "training diverged: the loss grew to ");
        Assert.Contains("try a lower learning rate (it is 1E+10)", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_given_as_a_data_file_is_reported_as_a_folder()
    {
        Refused(Run("train", "--data", "csv:" + _dir), $"{_dir}: is a folder, not a file");
        Refused(Run("predict", "--model", _dir, "--input", _dir), "is a folder, not a model file");
    }

    [Fact]
    public void Quoted_csv_headers_quoted_commas_doubled_quotes_crlf_and_tsv_train()
    {
        string csv = Text("quoted.csv", "\"x\",\"y, in cm\",\"label\"\r\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i % 5},\"{i % 3}\",\"{(i % 3 == 0 ? "say \"\"hi\"\"" : i % 3 == 1 ? "a, b" : "plain")}\"\r\n")));
        string model = P("q.safetensors");
        var r = Run("train", "--data", "csv:" + csv, "--epochs", "1", "--out", model, "--json");
        Assert.True(r.Code == 0, r.Err);
        var info = ModelFile.Load(model).Info;
        Assert.Equal(["a, b", "plain", "say \"hi\""], info.Classes);
        Assert.Equal(["label"], info.LabelColumns);
        var predicted = Run("predict", "--model", model, "--input", Text("in.csv", "x,\"y, in cm\"\n1,2\n"));
        Assert.Equal("class,\"p_a, b\",p_plain,\"p_say \"\"hi\"\"\"", predicted.Out.Split('\n')[0]);

        string tsv = Text("t.tsv", "x\ty\tlabel\n" + Rows(30, i => $"{i % 5}\t{i % 3}\t{(i % 2 == 0 ? "u" : "v")}"));
        Assert.Equal(0, Run("train", "--data", "csv:" + tsv, "--epochs", "1", "--json").Code);
        string semi = Text("semi.txt", "x;y;label\n" + Rows(30, i => $"{i % 5};{i % 3};{(i % 2 == 0 ? "u" : "v")}"));
        string semiModel = P("semi.safetensors");
        Assert.Equal(0, Run("train", "--data", "csv:" + semi, "--delimiter", ";", "--epochs", "1", "--out", semiModel, "--json").Code);
        Assert.Equal(";", ModelFile.Load(semiModel).Info.Extra["delimiter"]);
        Assert.Equal(0, Run("evaluate", "--model", semiModel, "--json").Code); // reads the data with the stored separator
        Assert.Equal(0, Run("train", "--resume", semiModel, "--epochs", "1", "--json").Code);
        Refused(Run("train", "--data", "csv:" + semi, "--delimiter", "ab"), "--delimiter takes one character");
        Refused(Run("train", "--data", "iris", "--delimiter", ";"), "--delimiter applies to csv: data, not iris");
    }

    [Fact]
    public void Scikit_learns_csv_format_loads_with_the_sklearn_spec_and_csv_says_so()
    {
        string wine = Path.Combine(Nabla.Tests.Architecture.LayeringTests.RepoRoot(), "..", "shared", "data", "sklearn", "wine_data.csv");
        Assert.True(File.Exists(wine), "../shared/data/sklearn/wine_data.csv is missing");
        var r = Run("train", "--data", "sklearn:" + wine, "--epochs", "20", "--json");
        Assert.True(r.Code == 0, r.Err);
        Assert.True(LastJson(r.Out).GetProperty("test_accuracy").GetDouble() > 0.9, r.Out);
        Refused(Run("train", "--data", "csv:" + wine), "is scikit-learn's header (178 rows, 13 features, classes class_0, class_1, class_2), not column names: load the file with the data SPEC sklearn:");
    }
}
