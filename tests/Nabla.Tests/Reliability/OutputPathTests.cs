using Nabla.Cli;
using Nabla.IO;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Reliability;

/// <summary>
/// No run may overwrite its own input or another output, and an output that cannot be written is
/// refused before training (issue 20, "data loss"): each case checks the exit code, the message,
/// and that the input file is unchanged afterwards.
/// </summary>
public sealed class OutputPathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-out-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private string Csv(string name = "wine.csv")
    {
        string p = P(name);
        File.WriteAllText(p, "a,b,label\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i % 7},{i % 5},{(i % 2 == 0 ? "x" : "y")}\n")));
        return p;
    }

    private static void Unchanged(string path, string before) => Assert.Equal(before, File.ReadAllText(path));

    [Fact]
    public void Out_naming_the_training_data_is_refused_and_the_data_is_kept()
    {
        string csv = Csv(), before = File.ReadAllText(csv);
        AssertUserError(Run("train", "--data", "csv:" + csv, "--epochs", "1", "--out", csv), $"--out {csv} is the input of --data csv:{csv}");
        Unchanged(csv, before);
    }

    [Fact]
    public void A_relative_path_or_a_symbolic_link_to_the_data_is_the_same_file()
    {
        string csv = Csv(), before = File.ReadAllText(csv);
        string sub = Directory.CreateDirectory(P("sub")).FullName;
        string relative = Path.Combine(sub, "..", ".", "wine.csv");
        AssertUserError(Run("train", "--data", "csv:" + csv, "--epochs", "1", "--out", relative), "writing it would destroy it");
        string link = P("link.csv");
        File.CreateSymbolicLink(link, csv);
        AssertUserError(Run("train", "--data", "csv:" + link, "--epochs", "1", "--out", csv), "writing it would destroy it");
        string linkedDir = P("linked-dir");
        Directory.CreateSymbolicLink(linkedDir, _dir);
        AssertUserError(Run("train", "--data", "csv:" + csv, "--epochs", "1", "--plot", Path.Combine(linkedDir, "wine.csv")), "--plot");
        Unchanged(csv, before);
        Assert.True(OutputPaths.SameFile(Path.Combine(linkedDir, "sub", "..", "wine.csv"), csv));
    }

    [Fact]
    public void Names_that_differ_only_in_case_are_different_files_on_a_case_sensitive_file_system()
    {
        // Linux file systems tell a.csv from A.csv: both exist side by side, so neither is the other.
        string lower = Csv("case.csv"), upper = Csv("CASE.csv");
        Assert.False(OutputPaths.SameFile(lower, upper));
        Assert.False(OutputPaths.SameFile(lower, P("Case.csv"))); // one exists, the other does not: different
        Assert.True(OutputPaths.SameFile(lower, Path.Combine(_dir, ".", "case.csv")));
    }

    [Fact]
    public void Out_and_plot_naming_the_same_file_are_refused()
    {
        string target = P("both.out");
        AssertUserError(Run("train", "--data", "iris", "--epochs", "1", "--out", target, "--plot", target), $"--plot {target} and --out {target} are the same file");
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Resume_and_out_may_name_the_same_model_but_no_other_output_may_name_it_or_its_optimizer_state()
    {
        string model = P("m.safetensors");
        Ok("train", "--data", "iris", "--epochs", "1", "--out", model, "--json");
        Ok("train", "--resume", model, "--epochs", "1", "--out", model, "--json");
        byte[] before = File.ReadAllBytes(model);
        AssertUserError(Run("train", "--resume", model, "--epochs", "1", "--plot", model), "is the model being resumed");
        string state = OptimizerState.PathFor(model);
        AssertUserError(Run("train", "--resume", model, "--epochs", "1", "--out", state), "is the optimizer state of the model being resumed");
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void Predict_output_naming_its_input_or_its_model_is_refused()
    {
        string model = P("iris.safetensors");
        Ok("train", "--data", "iris", "--epochs", "1", "--out", model, "--json");
        string input = P("flowers.csv");
        File.WriteAllText(input, "5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\n");
        AssertUserError(Run("predict", "--model", model, "--input", input, "--output", input), "--output");
        AssertUserError(Run("predict", "--model", model, "--input", input, "--output", model), "writing it would destroy it");
        Assert.Equal("5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\n", File.ReadAllText(input));
        ModelFile.Load(model);
    }

    [Fact]
    public void Export_and_convert_refuse_to_write_over_their_input()
    {
        string model = P("iris.safetensors");
        Ok("train", "--data", "iris", "--epochs", "1", "--out", model, "--json");
        byte[] before = File.ReadAllBytes(model);
        AssertUserError(Run("export", "--model", model, "--onnx", model), "writing it would destroy it");
        AssertUserError(Run("convert", "--spec", "dense(3)", "--weights", model, "--out", model, "--input-shape", "4"), "writing it would destroy it");
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void Outputs_in_a_missing_or_unwritable_folder_or_naming_a_folder_are_refused_before_training()
    {
        var r = Run("train", "--data", "iris", "--epochs", "50", "--out", P("no/such/dir/m.safetensors"));
        AssertUserError(r, "the folder");
        Assert.Contains("does not exist", r.Err, StringComparison.Ordinal);
        Assert.Equal("", r.Out); // refused before the data was even loaded
        AssertUserError(Run("train", "--data", "iris", "--epochs", "50", "--plot", _dir), "is a folder; give a file name");
        // /proc refuses new files even to root, so this holds whoever runs the tests.
        AssertUserError(Run("train", "--data", "iris", "--epochs", "50", "--out", "/proc/nabla-test.safetensors"), "cannot write in the folder /proc");
        AssertUserError(Run("predict", "--model", P("none.safetensors"), "--input", P("x.csv"), "--output", P("missing/p.csv")), "does not exist");
    }
}
