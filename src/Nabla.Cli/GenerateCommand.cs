using System.CommandLine;
using System.Globalization;
using System.Text;
using Nabla.Data.Text;
using Nabla.IO;
using Nabla.Kernels;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla generate --model FILE (--text "…" | --input FILE [--source COLUMN]) [--beam N] [--max-length N]</c>:
/// runs a sequence-to-sequence model (trained on <c>pairs:</c> data) on raw text and prints one output
/// per input, decoded greedily (or by beam search) until the end-of-sentence token. <c>--input</c> is a
/// CSV/TSV with a header (the source column the model was trained on, or <c>--source</c>) or, for any
/// other extension, plain text with one input per line; an empty input gives an empty output line.
/// </summary>
/// <remarks>
/// A character the model never saw is refused with its position (a char model cannot represent it); a
/// word model maps unknown words to <c>[UNK]</c>, as training did for its test rows, and says how many.
/// </remarks>
internal static class GenerateCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string>("--model", "-m") { Description = "Sequence-to-sequence model file written by nabla train --data pairs:… --out", Required = true };
        var text = new Option<string?>("--text", "-t") { Description = "One input text" };
        var input = new Option<string?>("--input", "-i") { Description = "Inputs: a CSV/TSV with a header (the model's source column, or --source) or a text file with one input per line" };
        var source = new Option<string?>("--source") { Description = "The column of --input holding the texts (default: the column the model was trained on)" };
        var beam = new Option<int>("--beam") { Description = "Beam search with this many beams (1: greedy decoding)", DefaultValueFactory = _ => 1 };
        var maxLength = new Option<int?>("--max-length") { Description = "Most tokens to generate per input (default: the longest training target and half again)" };
        var threads = new Option<int?>("--threads") { Description = "Worker threads for the kernels (default: all processors)" };
        var cmd = new Command("generate", "Generate text with a sequence-to-sequence model: one output per input, decoding until end-of-sentence")
        {
            model, text, input, source, beam, maxLength, threads,
        };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(model)!;
            string? one = r.GetValue(text), file = r.GetValue(input);
            NablaCommand.Require(one is not null || file is not null, "give the inputs: --text \"…\" or --input FILE");
            NablaCommand.Require(one is null || file is null, "give --text or --input, not both");
            NablaCommand.Require(r.GetValue(source) is null || file is not null, "--source names a column of --input FILE");
            int beams = r.GetValue(beam);
            NablaCommand.Require(beams >= 1, $"--beam must be at least 1, got {beams}");
            if (r.GetValue(threads) is int n)
            {
                NablaCommand.Require(n >= 1, $"--threads must be at least 1, got {n}");
                WorkerPool.MaxThreads = n;
            }
            var info = ReadInfo(path);
            if (info.Task != "seq2seq")
                throw new UsageException($"{Printable.Escape(path)} is a {info.Task} model ({Printable.Escape(info.Architecture)}): nabla generate runs sequence-to-sequence models (nabla train --data pairs:… --model \"seq2seq(…)\"); use nabla predict");
            var (net, _) = ModelFile.LoadSeq2Seq(path);
            var vocabulary = info.SourceVocabulary!;
            int length = r.GetValue(maxLength) ?? DefaultLength(info, net.MaxLength);
            NablaCommand.Require(length >= 1 && length <= net.MaxLength,
                $"--max-length must be 1..{net.MaxLength} (the model's positional table), got {length}");

            var (texts, where) = one is not null ? ([one], "--text") : Inputs(file!, r.GetValue(source) ?? info.Extra.GetValueOrDefault("source"));
            var encoded = new int[texts.Length][];
            int unknown = 0;
            for (int i = 0; i < texts.Length; i++)
            {
                string label = one is not null ? "--text" : $"{Printable.Escape(file)}{where}{i + 1}";
                if (vocabulary.Tokens == SequenceTokens.Char && vocabulary.FirstUnknown(texts[i]) is { } miss)
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                        $"{label}: unknown character {Printable.Quote(miss.Token)} (U+{char.ConvertToUtf32(miss.Token, 0):X4}) at position {miss.Position + 1}: the model knows only the {vocabulary.Count - SequenceVocabulary.Specials} characters of its training sources"));
                encoded[i] = vocabulary.Encode(texts[i]);
                unknown += encoded[i].Count(id => id == SequenceVocabulary.Unknown);
                if (encoded[i].Length > net.MaxLength)
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                        $"{label}: {encoded[i].Length} {SequenceVocabulary.Name(vocabulary.Tokens)} tokens, longer than the model's positional table of {net.MaxLength} positions"));
            }
            if (unknown > 0) ctx.Err.WriteLine($"nabla: note: {unknown} word(s) of the inputs are not in the model's source vocabulary and were read as [UNK]");

            // Empty inputs get empty outputs without decoding (a source of padding only has nothing to attend to).
            int[] rows = [.. Enumerable.Range(0, texts.Length).Where(i => encoded[i].Length > 0)];
            var batches = new Seq2SeqBatches(encoded, [.. encoded.Select(_ => Array.Empty<int>())]);
            var outputs = Seq2SeqTraining.Generate(net, batches, rows, length, beams);
            var result = new string[texts.Length];
            Array.Fill(result, "");
            for (int i = 0; i < rows.Length; i++) result[rows[i]] = info.TargetVocabulary!.Decode(outputs[i]);
            var sb = new StringBuilder();
            foreach (var line in result) sb.Append(Printable.Escape(line)).Append('\n');
            ctx.Out.Write(sb.ToString());
            return NablaCommand.Ok;
        });
        return cmd;
    }

    private static ModelInfo ReadInfo(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{Printable.Escape(path)} is a folder, not a model file");
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {Printable.Escape(path)}", path);
        return ModelFile.ReadInfo(path);
    }

    private static int DefaultLength(ModelInfo info, int table) =>
        int.TryParse(info.Extra.GetValueOrDefault("generate_length"), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1
            ? Math.Min(n, table) : table;

    // A table (by extension) gives its source column's cells, numbered by row after the header ("row N");
    // any other file its lines ("file:N").
    private static (string[] Texts, string Where) Inputs(string file, string? column)
    {
        string name = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? file[..^3] : file;
        if (Path.GetExtension(name).ToLowerInvariant() is not (".csv" or ".tsv" or ".tab"))
            return ([.. TextTable.ReadLines(file).Select(l => l.Trim())], ":");
        var table = TextTable.Read(file);
        var header = table.Header!;
        NablaCommand.Require(column is not null, $"--source: name the column of {Printable.Escape(file)} holding the texts (columns: {string.Join(", ", header)})");
        int c = Array.IndexOf(header, column!.Trim());
        if (c < 0)
            throw new UsageException($"{Printable.Escape(file)}: source column '{Printable.Escape(column)}' does not exist (columns: {string.Join(", ", header.Select(h => Printable.Escape(h)))}); give --source COLUMN");
        return ([.. table.Rows.Select(row => row[c])], ", row ");
    }
}
