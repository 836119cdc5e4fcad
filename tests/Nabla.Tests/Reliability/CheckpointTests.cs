using Nabla.IO;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Reliability;

/// <summary><see cref="Checkpoint"/> and <see cref="AtomicFile"/>: the pair always matches, stale and temporary files go away.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (Sequential Model, Adam Optimizer, ModelInfo Info) Trained(int steps)
    {
        var model = ModelBuilder.Build(ModelSpec.Parse("dense(5,relu) dense(3)"), new Shape(1, 4), new Rng(1));
        var optimizer = new Adam(model.Parameters(), 0.01f);
        for (int s = 0; s < steps; s++)
        {
            foreach (var p in model.Parameters()) { p.Grad = Tensor.Ones(p.Shape); }
            optimizer.Step();
        }
        var info = new ModelInfo { Architecture = "dense(5,relu) dense(3)", InputShape = [1, 4], Task = "multiclass", Classes = ["a", "b", "c"] };
        return (model, optimizer, info);
    }

    [Fact]
    public void A_save_writes_a_pair_with_one_id_and_removes_the_previous_state_and_the_legacy_sidecar()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        var (model, optimizer, info) = Trained(3);
        File.WriteAllText(Checkpoint.LegacyStatePath(path), "an older sidecar");
        string first = Checkpoint.Save(path, model, info, optimizer);
        optimizer.Step();
        string second = Checkpoint.Save(path, model, info, optimizer);
        Assert.NotEqual(first, second);
        var saved = ModelFile.Load(path).Info;
        Assert.Equal(second, saved.CheckpointId);
        Assert.Equal($"m.safetensors.optim.{second}.safetensors", saved.OptimizerStateFile);
        var (_, content) = Checkpoint.LoadState(path, saved)!.Value;
        Assert.Equal(second, content.Metadata[Checkpoint.IdKey]);
        Assert.Equal(4f, content.Tensors["step"].Item());
        Assert.Equal(["m.safetensors", saved.OptimizerStateFile!], Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).Order().ToArray());
        // PyTorch's load_state_dict(strict=True) sees exactly the model's state dict: no optimizer tensor in the model file.
        Assert.Equal(model.StateDict().Select(kv => kv.Key), Safetensors.Load(path).Tensors.Keys);
    }

    [Fact]
    public void A_state_file_of_another_checkpoint_is_refused_not_mixed_in()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        var (model, optimizer, info) = Trained(2);
        Checkpoint.Save(path, model, info, optimizer);
        var saved = ModelFile.Load(path).Info;
        string statePath = Checkpoint.StatePath(path, saved);
        var state = Safetensors.Load(statePath);
        var other = state.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        other[Checkpoint.IdKey] = "0123456789abcdef";
        Safetensors.Save(statePath, state.Tensors, other);
        var e = Assert.Throws<ModelFileException>(() => Checkpoint.LoadState(path, saved));
        Assert.Contains("belongs to checkpoint '0123456789abcdef', but m.safetensors is checkpoint", e.Message);
        Assert.Contains("the two files are not a pair", e.Message);
    }

    [Fact]
    public void A_model_saved_before_checkpoint_ids_reads_its_legacy_sidecar()
    {
        string path = Path.Combine(_dir, "old.safetensors");
        var (model, optimizer, info) = Trained(2);
        ModelFile.Save(path, model, info);
        Safetensors.Save(Checkpoint.LegacyStatePath(path), optimizer.StateDict(), new Dictionary<string, string> { ["nabla.optimizer"] = "adam" });
        var saved = ModelFile.Load(path).Info;
        Assert.Null(saved.CheckpointId);
        var (statePath, content) = Checkpoint.LoadState(path, saved)!.Value;
        Assert.Equal(Checkpoint.LegacyStatePath(path), statePath);
        Assert.Equal(2f, content.Tensors["step"].Item());
    }

    [Fact]
    public void Temporary_files_of_killed_writers_are_removed_by_the_next_save_and_live_ones_are_kept()
    {
        string path = Path.Combine(_dir, "m.safetensors");
        var (model, optimizer, info) = Trained(1);
        // A writer that no longer runs (pid 2^22 + 1 is above Linux's default pid_max) left a model and a state temporary.
        string deadModel = Path.Combine(_dir, $".m.safetensors.4194305.{Guid.NewGuid():N}.tmp");
        string deadState = Path.Combine(_dir, $".m.safetensors.optim.0123456789abcdef.safetensors.4194305.{Guid.NewGuid():N}.tmp");
        string other = Path.Combine(_dir, $".other.safetensors.4194305.{Guid.NewGuid():N}.tmp");
        foreach (var f in new[] { deadModel, deadState, other }) File.WriteAllText(f, "partial");
        // This process's own temporary that a writer still holds open (with its lock) must survive.
        string live = Path.Combine(_dir, $".m.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        using (var held = new FileStream(live, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            Checkpoint.Save(path, model, info, optimizer);
            Assert.True(File.Exists(live));
        }
        Assert.False(File.Exists(deadModel));
        Assert.False(File.Exists(deadState));
        Assert.True(File.Exists(other)); // another file's leftovers are that file's next save's business
        Assert.Equal(1, AtomicFile.RemoveLeftovers(path)); // the released one goes at the next save
        Assert.False(File.Exists(live));
    }

    [Fact]
    public void An_interrupted_write_leaves_the_previous_file_and_no_temporary()
    {
        string path = Path.Combine(_dir, "t.bin");
        AtomicFile.Write(path, s => s.Write("old"u8));
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new, partly"u8);
            throw new IOException("disk full");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["t.bin"], Directory.GetFiles(_dir).Select(f => Path.GetFileName(f)).ToArray());
    }
}
