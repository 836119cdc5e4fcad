using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>Model files of sequence-to-sequence models (task <c>seq2seq</c>), saved with <see cref="Save"/> like any model.</summary>
public static partial class ModelFile
{
    /// <summary>The metadata of the model file <paramref name="path"/>, checked, without building its network.</summary>
    /// <exception cref="ModelFileException">Not a Nabla model file, or damaged metadata; names the entry.</exception>
    public static ModelInfo ReadInfo(string path)
    {
        var meta = Safetensors.Load(path).Metadata;
        string name = Path.GetFileName(path);
        if (!meta.Keys.Any(k => k.StartsWith(ModelMetadata.Prefix, StringComparison.Ordinal)))
            throw new StateDictWithoutMetadataException($"{name}: a plain state dict (no Nabla metadata), not a Nabla model file");
        return ModelMetadata.Read(name, meta);
    }

    /// <summary>
    /// Loads a sequence-to-sequence model file: rebuilds the <see cref="Seq2SeqTransformer"/> from its
    /// <c>seq2seq(…)</c> architecture, copies the weights in and checks them (finite, shapes and names as
    /// the architecture says, embedding sizes equal to the stored vocabularies). Returned in evaluation mode.
    /// </summary>
    /// <exception cref="ModelFileException">Not a seq2seq model, or weights and metadata that do not fit; names the file.</exception>
    public static (Seq2SeqTransformer Model, ModelInfo Info) LoadSeq2Seq(string path)
    {
        var content = Safetensors.Load(path);
        string name = Path.GetFileName(path);
        if (!content.Metadata.Keys.Any(k => k.StartsWith(ModelMetadata.Prefix, StringComparison.Ordinal)))
            throw new StateDictWithoutMetadataException($"{name}: a plain state dict ({content.Tensors.Count} tensors, no Nabla metadata), not a Nabla model file");
        var info = ModelMetadata.Read(name, content.Metadata);
        if (info.Task != ModelMetadata.Seq2SeqTask)
            throw new ModelFileException($"{name}: a {info.Task} model ({Printable.Quote(info.Architecture)}), not a sequence-to-sequence one (trained on pairs: data with seq2seq(…))");
        Seq2SeqTransformer model;
        try
        {
            model = ModelBuilder.BuildSeq2Seq(info.Architecture, new Rng(0));
        }
        catch (ModelSpecException e)
        {
            throw new ModelFileException($"{name}: the stored architecture does not build: {e.Message}", e);
        }
        if (model.SourceVocabulary != info.SourceVocabulary!.Count || model.TargetVocabulary != info.TargetVocabulary!.Count)
            throw new ModelFileException($"{name}: the architecture has {model.SourceVocabulary} source and {model.TargetVocabulary} target tokens, the stored vocabularies {info.SourceVocabulary.Count} and {info.TargetVocabulary!.Count}");
        try
        {
            model.LoadStateDict(content.Tensors);
        }
        catch (Exception e) when (e is KeyNotFoundException or ShapeMismatchException)
        {
            throw new ModelFileException($"{name}: weights do not match the architecture {Printable.Quote(info.Architecture)}: {Printable.MessageOf(e)}", e);
        }
        CheckFinite(name, content.Tensors);
        model.Eval();
        return (model, info);
    }
}
