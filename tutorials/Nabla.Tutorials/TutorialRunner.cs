using System.Text;
using System.Text.Json;
using Nabla.Kernels;

namespace Nabla.Tutorials;

/// <summary>
/// Runs tutorials by number: prints each one's lines and then its figures as one JSON object on the last line.
/// Tutorials run on one thread (<c>WorkerPool.MaxThreads = 1</c>): their budgets are sized for it, and the same
/// seed and thread count give the same numbers, which is what lets the pages quote them.
/// </summary>
public static class TutorialRunner
{
    /// <summary>Every tutorial, in lecture order.</summary>
    public static IReadOnlyList<Tutorial> All { get; } =
    [
        new Perceptrons(),
        new FeedForward(),
        new Backpropagation(),
        new Comparisons(),
        new Regularization(),
        new Autoencoders(),
        new TextClassifier(),
        new Cnn(),
        new Lstm(),
        new Transformers(),
        new Gan(),
        new GraphNetworks(),
        new TransferLearning(),
    ];

    /// <summary>Begin and end markers of the output block of a page, which <c>--update-page</c> rewrites.</summary>
    public const string OutputBegin = "<!-- output -->", OutputEnd = "<!-- /output -->";

    /// <summary>The tutorial numbered <paramref name="number"/> ("1" or "01"), or null.</summary>
    public static Tutorial? Find(string number) =>
        All.FirstOrDefault(t => t.Number == number || t.Number == number.PadLeft(2, '0') || t.Slug == number);

    /// <summary>Runs one tutorial and writes its JSON line; returns the figures and that line.</summary>
    public static (IReadOnlyList<KeyValuePair<string, object>> Figures, string Json) Run(Tutorial tutorial, TutorialContext context)
    {
        ArgumentNullException.ThrowIfNull(tutorial);
        ArgumentNullException.ThrowIfNull(context);
        int threads = WorkerPool.MaxThreads;
        WorkerPool.MaxThreads = 1;
        try
        {
            Directory.CreateDirectory(context.OutputDir);
            var figures = tutorial.Run(context);
            string json = Json(figures);
            context.Out.WriteLine(json);
            return (figures, json);
        }
        finally
        {
            WorkerPool.MaxThreads = threads;
        }
    }

    /// <summary>The figures as one line of JSON, in their order.</summary>
    public static string Json(IReadOnlyList<KeyValuePair<string, object>> figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in figures)
            {
                writer.WritePropertyName(key);
                JsonSerializer.Serialize(writer, value, value.GetType());
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Replaces the output block of <paramref name="pagePath"/> with <paramref name="output"/>.</summary>
    public static void UpdatePage(string pagePath, string output)
    {
        var page = File.ReadAllText(pagePath);
        int begin = page.IndexOf(OutputBegin, StringComparison.Ordinal), end = page.IndexOf(OutputEnd, StringComparison.Ordinal);
        if (begin < 0 || end < begin) throw new InvalidOperationException($"{pagePath}: no {OutputBegin} … {OutputEnd} block");
        var block = $"{OutputBegin}\n```text\n{output.ReplaceLineEndings("\n").TrimEnd('\n')}\n```\n";
        File.WriteAllText(pagePath, page[..begin] + block + page[end..]);
    }

    /// <summary>The repository root (the folder holding Nabla.slnx) above <paramref name="start"/>, or null.</summary>
    public static string? RepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) return dir.FullName;
        return null;
    }

    /// <summary>The command line: <c>NN|all|list [--data DIR] [--out DIR] [--update-page]</c>; returns the exit code.</summary>
    public static int Execute(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? which = null, dataDir = null, outDir = null;
        bool updatePage = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--data" when i + 1 < args.Length: dataDir = args[++i]; break;
                case "--out" when i + 1 < args.Length: outDir = args[++i]; break;
                case "--update-page": updatePage = true; break;
                default:
                    if (which is null && !args[i].StartsWith('-')) { which = args[i]; break; }
                    error.WriteLine($"tutorials: unknown argument '{args[i]}'; usage: NN|all|list [--data DIR] [--out DIR] [--update-page]");
                    return 2;
            }
        }
        if (which is null or "list")
        {
            foreach (var t in All) output.WriteLine($"{t.Number}  {t.Title}  (tutorials/{t.Page})");
            return which is null ? 2 : 0;
        }
        var chosen = which == "all" ? All : Find(which) is { } one ? [one] : null;
        if (chosen is null)
        {
            error.WriteLine($"tutorials: no tutorial '{which}' (01–{All.Count:D2}, all, list)");
            return 2;
        }
        var root = RepositoryRoot(Directory.GetCurrentDirectory());
        dataDir ??= Path.Combine(root ?? ".", "..", "shared", "data");
        if (updatePage && root is null)
        {
            error.WriteLine("tutorials: --update-page runs from inside the repository");
            return 2;
        }
        foreach (var tutorial in chosen)
        {
            var buffer = new StringWriter();
            var tee = updatePage ? new Tee(output, buffer) : output;
            var pagesDir = Path.Combine(root ?? ".", "tutorials");
            var context = new TutorialContext(tee, dataDir, outDir ?? (updatePage ? pagesDir : "."));
            var (figures, _) = Run(tutorial, context);
            var headline = figures.First(f => f.Key == tutorial.Headline);
            if (!tutorial.Meets(Convert.ToDouble(headline.Value, System.Globalization.CultureInfo.InvariantCulture)))
                error.WriteLine($"tutorials: {tutorial.Number}: {tutorial.Headline} = {headline.Value} misses the floor {tutorial.Floor}");
            if (updatePage) UpdatePage(Path.Combine(pagesDir, tutorial.Page), buffer.ToString());
        }
        return 0;
    }

    private sealed class Tee(TextWriter first, TextWriter second) : TextWriter
    {
        public override Encoding Encoding => first.Encoding;

        public override void Write(char value)
        {
            first.Write(value);
            second.Write(value);
        }

        public override void Write(string? value)
        {
            first.Write(value);
            second.Write(value);
        }

        public override void WriteLine(string? value)
        {
            first.WriteLine(value);
            second.WriteLine(value);
        }
    }
}
