using System.Diagnostics;
using Nabla.IO;

namespace Nabla.Tests.Reliability;

/// <summary>
/// Runs the real <c>nabla train --out</c> in a child process and kills it with SIGKILL at random
/// moments while it writes checkpoints (issue 20): after every kill the model file must load, its
/// optimizer state must be the one saved with it (same checkpoint id, and a step count that matches
/// the epochs its history records), and the next run must leave no temporary or stale files.
/// </summary>
public sealed class KillTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // 200 digits, 20 held out for validation: 180 rows in batches of 32.
    private const int BatchesPerEpoch = 6;

    [Fact]
    public void Kill_9_during_checkpoint_saves_leaves_a_loadable_model_whose_optimizer_state_matches()
    {
        string model = Path.Combine(_dir, "m.safetensors");
        // A wide model on few rows: epochs are short and every one improves val_loss, so the run spends
        // most of its time writing checkpoints (a 1.2 MB model file and a 2.4 MB optimizer state, each flushed to disk).
        string[] fresh = ["train", "--data", "digits", "--limit", "200", "--model", "dense(512,relu) dense(512,relu)", "--lr", "1e-4",
            "--epochs", "400", "--threads", "1", "--out", model, "--json"];
        string[] resume = ["train", "--resume", model, "--epochs", "400", "--out", model, "--json"];
        var random = new Random();
        var kills = new List<string>();
        for (int run = 0; run < 6; run++)
        {
            // Fresh runs and resumed ones alternate: a resume reads the pair the previous kill left.
            int delay = random.Next(0, 1500);
            bool killed = RunAndKill(run % 2 == 0 || !File.Exists(model) ? fresh : resume, model, delay);
            // A temporary file or a state file the model does not name shows the kill landed inside a save.
            var left = Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal) || f.Contains(".optim.", StringComparison.Ordinal)).ToList();
            kills.Add($"run {run}: killed {delay} ms after the first checkpoint: {killed}, left {string.Join(" ", left)}");
            if (!File.Exists(model)) continue; // killed before the first save of the first run
            AssertConsistent(model, string.Join("; ", kills));
        }
        Assert.True(File.Exists(model), string.Join("; ", kills));

        // A run that completes removes what the killed ones left: temporary files and unreferenced states.
        var finished = Nabla.Tests.Cli.Cli.Run("train", "--resume", model, "--epochs", "1", "--out", model, "--json");
        Assert.True(finished.Code == 0, finished.Err);
        AssertConsistent(model, "after a completed run");
        var files = Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).Order().ToArray();
        Assert.DoesNotContain(files, f => f.EndsWith(".tmp", StringComparison.Ordinal));
        string state = Path.GetFileName(ModelFile.Load(model).Info.OptimizerStateFile)!;
        Assert.Equal(["m.safetensors", state], files);
    }

    private static void AssertConsistent(string model, string context)
    {
        var (_, info) = ModelFile.Load(model);
        Assert.NotNull(info.CheckpointId);
        var loaded = Checkpoint.LoadState(model, info); // throws if the state belongs to another checkpoint
        Assert.True(loaded is not null, $"no optimizer state beside the model ({context})");
        var (_, content) = loaded.Value;
        Assert.Equal(info.CheckpointId, content.Metadata[Checkpoint.IdKey]);
        int epochs = Nabla.Cli.HistoryRecords.Parse(info.HistoryJson).Count;
        Assert.True(epochs * BatchesPerEpoch == content.Tensors["step"].Item(),
            $"the model's history has {epochs} epochs, its optimizer state {content.Tensors["step"].Item()} steps ({context})");
    }

    /// <summary>
    /// Starts nabla, waits for its first epoch and for <paramref name="model"/> to exist, then SIGKILLs it
    /// <paramref name="delayMs"/> later; false if it ended by itself.
    /// </summary>
    private static bool RunAndKill(string[] args, string model, int delayMs)
    {
        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var firstEpoch = process.StandardOutput.ReadLineAsync();
        if (!firstEpoch.Wait(TimeSpan.FromMinutes(3)) || firstEpoch.Result is null)
        {
            process.WaitForExit(60_000);
            return false;
        }
        process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var waited = Stopwatch.StartNew();
        while (!File.Exists(model) && !process.HasExited && waited.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(20);
        Thread.Sleep(delayMs);
        if (process.HasExited) return false;
        process.Kill(entireProcessTree: true); // SIGKILL on Unix: no handler, no finally block runs
        process.WaitForExit();
        return true;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
