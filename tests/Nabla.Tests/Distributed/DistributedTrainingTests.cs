using Nabla.Cli;
using Nabla.Distributed;
using Nabla.IO;
using Nabla.Tests.Architecture;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Distributed;

/// <summary>
/// <c>mpirun -np N nabla train … --distributed</c> end to end: each test starts a real Open MPI job of
/// the built tool (2 processes; the machine may have fewer cores, hence --oversubscribe) and compares
/// it with one process run in this test process.
/// </summary>
public sealed class DistributedTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-mpi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File_(string name) => Path.Combine(_dir, name);

    private static string FashionMnist => "fashion-mnist=" + Path.Combine(LayeringTests.RepoRoot(), "..", "shared", "data", "fashion-mnist");

    private static (int Code, string Out, string Err) Job(int processes, params string[] args)
    {
        using var job = Mpirun.Start(processes, args);
        int code = job.WaitForExit();
        return (code, job.Out, job.Err);
    }

    /// <summary>The largest |a − b| over every tensor of two safetensors files with the same names and shapes.</summary>
    private static double MaxDifference(string a, string b)
    {
        var x = Safetensors.Load(a).Tensors;
        var y = Safetensors.Load(b).Tensors;
        Assert.Equal(x.Keys.Order(), y.Keys.Order());
        double max = 0;
        foreach (var (name, t) in x)
        {
            Assert.Equal(t.Shape, y[name].Shape);
            var (p, q) = (t.ToArray(), y[name].ToArray());
            for (int i = 0; i < p.Length; i++) max = Math.Max(max, Math.Abs(p[i] - q[i]));
        }
        return max;
    }

    [Fact]
    public void Two_processes_with_64_samples_each_reach_the_weights_of_one_process_with_batches_of_128()
    {
        // 2,560 Fashion-MNIST images, no validation rows: 20 steps of 128, which the job splits 64 + 64. The model's
        // 256→1024 layer and output layer fill one 1 MiB gradient bucket and the 784→256 layer a second, so the
        // first bucket's all-reduce starts from the hooks while backward still runs on the first layer.
        string[] args = ["train", "--data", FashionMnist, "--limit", "2560", "--validation-split", "0", "--epochs", "1",
            "--batch-size", "128", "--model", "dense(256,relu) dense(1024,relu)", "--seed", "3", "--json"];
        var job = Job(2, [.. args, "--out", File_("two.safetensors"), "--distributed"]);
        Assert.True(job.Code == 0, $"mpirun exited {job.Code}: {job.Err}");
        Ok([.. args, "--out", File_("one.safetensors")]);

        Assert.True(MaxDifference(File_("two.safetensors"), File_("one.safetensors")) <= 1e-5);
        // Adam's moments (rank 0's, which every rank shares) match too.
        Assert.True(MaxDifference(OptimizerState.PathFor(File_("two.safetensors")), OptimizerState.PathFor(File_("one.safetensors"))) <= 1e-5);
        // Only rank 0 printed: one epoch line and one summary.
        var lines = JsonLines(job.Out);
        Assert.Equal(2, lines.Count);
        Assert.Equal(2, lines[^1].GetProperty("world_size").GetInt32());
        Assert.Equal(20, Safetensors.Load(OptimizerState.PathFor(File_("two.safetensors"))).Tensors["step"].Item());
    }

    [Fact]
    public void Two_processes_on_digits_reach_the_test_accuracy_of_one_process()
    {
        var job = Job(2, "train", "--data", "digits", "--distributed", "--json");
        Assert.True(job.Code == 0, $"mpirun exited {job.Code}: {job.Err}");
        var two = LastJson(job.Out);
        var one = LastJson(Ok("train", "--data", "digits", "--json"));
        Assert.Equal(2, two.GetProperty("world_size").GetInt32());
        Assert.Equal(1, one.GetProperty("world_size").GetInt32());
        double accuracy = two.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.9, $"test accuracy {accuracy}");
        Assert.InRange(accuracy - one.GetProperty("test_accuracy").GetDouble(), -0.01, 0.01);
    }

    [Fact]
    public void Processes_started_with_different_settings_end_with_one_line_naming_them()
    {
        using var job = Mpirun.StartMpmd([
            (1, ["train", "--distributed", "--epochs", "2"]),
            (1, ["train", "--distributed", "--epochs", "3", "--lr", "0.01"])]);
        int code = job.WaitForExit();
        Assert.Equal(2, code);
        var err = job.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(err);
        Assert.StartsWith("nabla: the processes of the job disagree on epochs, lr:", err[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_process_that_dies_ends_the_job_instead_of_leaving_the_others_waiting()
    {
        using var job = Mpirun.Start(2, ["train", "--distributed", "--epochs", "5000", "--json"]);
        job.WaitForOutput("\"epoch\":1,");
        Mpirun.Signal(job.RankProcess(1), "KILL");
        int code = job.WaitForExit();
        Assert.NotEqual(0, code);
        Assert.Contains("nabla: rank 0 of 2: stopped by mpirun: another process of the job ended", job.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_process_that_stops_answering_ends_the_job_after_the_time_limit()
    {
        // 15 s, not less: the limit also covers start-up, where on a loaded machine one process may reach the first
        // collective call seconds after the other.
        using var job = Mpirun.Start(2, ["train", "--distributed", "--epochs", "5000", "--json"],
            new Dictionary<string, string> { [DistributedJobTimeout] = "15" });
        job.WaitForOutput("\"epoch\":1,");
        int rank1 = job.RankProcess(1);
        Mpirun.Signal(rank1, "STOP");
        int code = job.WaitForExit();
        Assert.Equal(2, code);
        // Which collective call rank 0 is in when rank 1 stops depends on timing (the gradients' all-reduce, or an epoch's figures).
        Assert.Matches(@"nabla: rank 0 of 2: no answer from the other processes of the job for 15 s during (the|an) all-reduce[^\n]*: a process stopped or hung", job.Err);
    }

    private const string DistributedJobTimeout = "NABLA_DISTRIBUTED_TIMEOUT";

    [Fact]
    public void A_run_saved_by_one_process_resumes_on_two_and_ends_where_one_process_would()
    {
        Ok("train", "--data", "digits", "--epochs", "2", "--out", File_("first.safetensors"));
        var job = Job(2, "train", "--resume", File_("first.safetensors"), "--epochs", "1", "--out", File_("resumed.safetensors"), "--distributed", "--json");
        Assert.True(job.Code == 0, $"mpirun exited {job.Code}: {job.Err}");
        Ok("train", "--data", "digits", "--epochs", "3", "--out", File_("straight.safetensors"));
        Assert.Equal(3, LastJson(job.Out).GetProperty("epochs").GetInt32());
        Assert.True(MaxDifference(File_("resumed.safetensors"), File_("straight.safetensors")) <= 1e-5);
    }

    [Fact]
    public void Distributed_training_outside_mpirun_is_refused_in_one_line()
    {
        AssertUserError(Run("train", "--distributed"), "mpirun -np N nabla train … --distributed");
    }

    [Fact]
    public void A_missing_open_mpi_library_is_reported_with_how_to_install_it()
    {
        var e = Assert.Throws<DistributedException>(() => MpiLibrary.Load("libmpi-missing.so.40"));
        Assert.Contains("apt-get install openmpi-bin", e.Message, StringComparison.Ordinal);
    }
}
