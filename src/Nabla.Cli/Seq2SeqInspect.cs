using System.Globalization;
using Nabla.IO;

namespace Nabla.Cli;

/// <summary><c>nabla inspect</c> of a sequence-to-sequence model file: architecture, vocabularies, modules and training metadata.</summary>
internal static class Seq2SeqInspect
{
    /// <summary>Describes <paramref name="path"/> when it holds a seq2seq model and returns true; false for any other file (left to the usual path).</summary>
    public static bool TryWrite(TextWriter o, string path)
    {
        if (!File.Exists(path)) return false;
        ModelInfo peek;
        try
        {
            peek = ModelFile.ReadInfo(path);
        }
        catch (NablaException)
        {
            return false; // the usual path reports what is wrong with the file
        }
        if (peek.Task != "seq2seq") return false;
        var (model, info) = ModelFile.LoadSeq2Seq(path);
        string E(string? text) => Printable.Escape(text);
        o.WriteLine($"{E(Path.GetFileName(path))}: Nabla model (written by Nabla {E(info.NablaVersion)})");
        o.WriteLine($"architecture  {E(info.Architecture)}");
        o.WriteLine("task          seq2seq (nabla generate)");
        o.WriteLine($"source        {E(info.Extra.GetValueOrDefault("source") ?? "?")}: {info.SourceVocabulary}");
        o.WriteLine($"target        {E(info.Extra.GetValueOrDefault("target") ?? "?")}: {info.TargetVocabulary}");
        o.WriteLine($"positions     {model.MaxLength} (longest input or output)");
        o.WriteLine($"parameters    {model.ParameterCount().ToString("N0", CultureInfo.InvariantCulture)}");
        int width = Math.Max(13, info.Extra.Keys.Select(k => E(k).Length).DefaultIfEmpty(0).Max());
        foreach (var (k, v) in info.Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o.WriteLine($"{E(k).PadRight(width)} {E(v)}");
        o.WriteLine();
        // The modules under their state-dict names (a shape table needs one input; this model reads two).
        foreach (var (name, child) in model.NamedChildren())
            o.WriteLine($"  {name,-22} {E(child.Describe()),-44} {child.ParameterCount().ToString("N0", CultureInfo.InvariantCulture),12}");
        var history = HistoryRecords.Parse(info.HistoryJson);
        if (history.Count > 0)
        {
            var last = history[^1];
            string Figure(string key, string label) => last.TryGetValue(key, out var v) && double.IsFinite(v) ? $"  {label} {ConsoleReport.F(v)}" : "";
            o.WriteLine($"history       {history.Count} epochs; last:{Figure("loss", "loss")}{Figure("accuracy", "token_acc")}{Figure("val_loss", "val_loss")}{Figure("val_accuracy", "val_token_acc")}");
        }
        return true;
    }
}
