using System.Globalization;
using Nabla.Cli;
using Nabla.Data;
using Nabla.IO;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary>
/// Exit code 2 is for the user's mistakes only (one line, no trace); anything else is an internal
/// error (exit 1) that names the exception and asks for a report. Every path below used to reach
/// the user as an <see cref="ArgumentException"/>.
/// </summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-exit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        string p = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(p, text);
        return p;
    }

    private static (int Code, string Err) Report(Exception e)
    {
        try
        {
            throw e; // gives it a stack trace, as a real failure has
        }
        catch (Exception thrown)
        {
            var err = new StringWriter(CultureInfo.InvariantCulture);
            return (NablaCommand.Report(thrown, err), err.ToString());
        }
    }

    [Theory]
    [InlineData(typeof(ArgumentException))]
    [InlineData(typeof(FormatException))]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(KeyNotFoundException))]
    [InlineData(typeof(IndexOutOfRangeException))]
    [InlineData(typeof(NullReferenceException))]
    public void Any_other_exception_is_an_internal_error_naming_its_type_and_asking_for_a_report(Type type)
    {
        var (code, err) = Report((Exception)Activator.CreateInstance(type, "boom")!);
        Assert.Equal(1, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"nabla: internal error: {type.FullName}: boom", lines[0].TrimEnd());
        Assert.Contains("this is a bug in Nabla", lines[1], StringComparison.Ordinal);
        Assert.Contains("please report it", lines[1], StringComparison.Ordinal);
        Assert.Contains("at Nabla.Tests.Cli.ExitCodeTests.Report", err, StringComparison.Ordinal);
    }

    [Fact]
    public void The_librarys_user_input_errors_and_file_errors_are_one_line_exit_2()
    {
        foreach (var e in new Exception[]
        {
            new DataFormatException("bad.csv:3:2: 'x' is not a number"), new DataSpecException("unknown data 'x'"), new ModelSpecException("model spec, column 1: x"),
            new ModelFileException("m.safetensors: truncated"), new Nabla.Tensors.ShapeMismatchException("add: shapes"), new FileNotFoundException("not found: a.csv"),
            new DirectoryNotFoundException("no folder"), new UnauthorizedAccessException("denied"), new IOException("disk full"),
        })
        {
            var (code, err) = Report(e);
            Assert.Equal(2, code);
            Assert.Equal("nabla: " + e.Message, err.TrimEnd());
        }
    }

    [Fact]
    public void Data_spec_and_csv_label_mistakes_are_user_errors()
    {
        string csv = File("three.csv", "a,b,y\n1,2,x\n3,1,y\n0,0,z\n2,2,x\n1,1,y\n0,1,z\n");
        string multi = File("multi.csv", "a,b,c\n1,0,1\n0,1,1\n1,1,0\n0,0,1\n");
        AssertUserError(Run("train", "--data", "idx:only-one-file"), "idx data needs idx:IMAGES,LABELS");
        AssertUserError(Run("train", "--data", "csv:"), "csv data needs csv:PATH");
        string gz = File("broken.csv.gz", "this is not gzip at all");
        AssertUserError(Run("train", "--data", "csv:" + gz), "broken.csv.gz: not a valid gzip file");
        AssertUserError(Run("train", "--data", $"idx:{gz},{gz}"), "broken.csv.gz: not a valid gzip file");
        AssertUserError(Run("predict", "--model", "none.safetensors", "--input", gz), "model file not found");
        AssertUserError(Run("train", "--data", "idx:" + csv + "," + csv), "three.csv: magic number");
        AssertUserError(Run("train", "--data", "iris", "--model", "conv(4,3)"), "conv needs images");
        AssertUserError(Run("train", "--data", "  "), "--data must name a data set");
        AssertUserError(Run("train", "--data", "csv:" + multi, "--label", "b,c", "--label-separator", ";"), "needs exactly one label column");
        AssertUserError(Run("train", "--data", "csv:" + csv, "--task", "multilabel"), "a multilabel task (--task) with one label column needs a label separator (--label-separator)");
        AssertUserError(Run("train", "--data", "csv:" + csv, "--task", "binary"), "a binary task (--task) needs 2 classes, the label column has 3");
        AssertUserError(Run("train", "--data", "csv:" + multi, "--label", "b,c", "--task", "multiclass"), "2 label columns make a multilabel or regression task, not multiclass");
        AssertUserError(Run("train", "--data", "csv:" + csv, "--task", "clustering"), "unknown task 'clustering' (known: multiclass, binary, multilabel, regression, autoencode)");
        AssertUserError(Run("train", "--data", "xor", "--validation-split", "0.9"), "--validation-split 0.9 of 4 training rows leaves 4 validation and 0 training rows");
    }

    [Theory]
    [InlineData("--momentum 0.9", "--momentum applies to sgd and rmsprop, not adam")]
    [InlineData("--optimizer adagrad --momentum 0.5", "--momentum applies to sgd and rmsprop, not adagrad")]
    [InlineData("--patience 3 --validation-split 0", "--patience watches val_loss and needs validation data")]
    [InlineData("--label y", "--label applies to csv: data, not iris")]
    [InlineData("--label-separator ;", "--label-separator applies to csv: data, not iris")]
    [InlineData("--task regression", "--task regression does not apply to iris, whose task is multiclass")]
    [InlineData("--model dense(16,relu,activaton=tanh)", "unknown argument 'activaton=' (known: activation=); did you mean 'activation'?")]
    [InlineData("--model conv(4,3,strid=2)", "did you mean 'stride'?")]
    [InlineData("--l2 -1", "--l2 must be a number ≥ 0, got -1")]
    public void Options_that_would_be_ignored_or_are_misspelt_are_refused(string options, string message) =>
        AssertUserError(Run(["train", "--data", "iris", "--epochs", "1", .. options.Split(' ')]), message);

    [Fact]
    public void Damaged_model_metadata_and_optimizer_state_are_user_errors_naming_the_file()
    {
        string model = Path.Combine(_dir, "m.safetensors");
        Assert.Equal(0, Run("train", "--data", "iris", "--epochs", "1", "--out", model, "--json").Code);
        var content = Safetensors.Load(model);
        void Damage(string name, string key, string value)
        {
            var meta = content.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
            meta[key] = value;
            Safetensors.Save(Path.Combine(_dir, name), content.Tensors, meta);
        }
        Damage("task.safetensors", "nabla.task", "clustering");
        AssertUserError(Run("inspect", Path.Combine(_dir, "task.safetensors")), "task.safetensors: unknown task 'clustering'");
        Damage("mean.safetensors", "nabla.input_mean", "[1, 2]");
        AssertUserError(Run("evaluate", "--model", Path.Combine(_dir, "mean.safetensors")), "input_mean and input_std have 2 and 4 entries, the input has 4 features");
        Damage("classes.safetensors", "nabla.classes", "[\"a\", \"b\"]");
        AssertUserError(Run("predict", "--model", Path.Combine(_dir, "classes.safetensors"), "--input", File("x.csv", "1,2,3,4\n")), "the network has 3 outputs, its multiclass metadata describes 2");
        Damage("lr.safetensors", "nabla.extra.lr", "fast");
        AssertUserError(Run("train", "--resume", Path.Combine(_dir, "lr.safetensors"), "--epochs", "1"), "the stored training setting lr = 'fast' is not a valid number");

        string statePath = OptimizerState.PathFor(model);
        var state = Safetensors.Load(statePath);
        var wrong = new Dictionary<string, Nabla.Tensors.Tensor>(state.Tensors) { ["0.exp_avg"] = Nabla.Tensors.Tensor.Zeros(3) };
        Safetensors.Save(statePath, wrong, state.Metadata);
        AssertUserError(Run("train", "--resume", model, "--epochs", "1"), $"{Path.GetFileName(statePath)}: the optimizer state does not fit the model");
    }
}
