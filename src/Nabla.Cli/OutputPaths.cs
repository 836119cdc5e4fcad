namespace Nabla.Cli;

/// <summary>A file a command reads or writes, with the option that names it (for messages).</summary>
/// <param name="Option">The option or source, e.g. <c>--out</c> or <c>--data csv:</c>.</param>
/// <param name="Path">The path as given.</param>
internal readonly record struct NamedPath(string Option, string Path);

/// <summary>
/// Checks a command's output files before any work is done, so that no run can destroy its own
/// inputs or discover only after an hour of training that it cannot save: every output must be a
/// different file from every input and every other output (compared after resolving relative
/// paths, symbolic links in any component, and letter case where the file system ignores it), must
/// not be a folder, and must lie in a folder that exists and is writable. The one exception is
/// <c>nabla train --resume FILE --out FILE</c>, continuing a model in place, which the caller allows
/// by not listing the resumed file as an input of <c>--out</c>.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Refuses outputs that are inputs or each other, folders, or in folders that are missing or read-only.</summary>
    /// <exception cref="UsageException">Names the options and the files.</exception>
    public static void Check(IReadOnlyList<NamedPath> inputs, IReadOnlyList<NamedPath> outputs, Func<NamedPath, NamedPath, bool>? allowed = null)
    {
        for (int i = 0; i < outputs.Count; i++)
        {
            var o = outputs[i];
            foreach (var input in inputs)
                if (!(allowed?.Invoke(input, o) ?? false) && SameFile(o.Path, input.Path))
                    throw new UsageException($"{o.Option} {Shown(o.Path)} is {Described(input)}: writing it would destroy it; choose another file name");
            for (int j = 0; j < i; j++)
                if (SameFile(o.Path, outputs[j].Path))
                    throw new UsageException($"{o.Option} {Shown(o.Path)} and {outputs[j].Option} {Shown(outputs[j].Path)} are the same file; give each output its own name");
            CheckWritable(o);
        }
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same file (whether or not it exists yet).</summary>
    public static bool SameFile(string a, string b)
    {
        string ra = Resolve(a), rb = Resolve(b);
        if (string.Equals(ra, rb, StringComparison.Ordinal)) return true;
        if (!string.Equals(ra, rb, StringComparison.OrdinalIgnoreCase)) return false;
        // Only the letter case differs: the same file exactly when this file system ignores case.
        bool ea = File.Exists(ra) || Directory.Exists(ra), eb = File.Exists(rb) || Directory.Exists(rb);
        if (ea != eb) return false;
        if (!ea) return OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();
        string dir = Path.GetDirectoryName(ra) ?? ".";
        var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        return !(names.Contains(Path.GetFileName(ra)) && names.Contains(Path.GetFileName(rb)));
    }

    /// <summary>The absolute path with every symbolic link along it resolved (components that do not exist are kept as written).</summary>
    public static string Resolve(string path) => Resolve(path, 0);

    private static string Resolve(string path, int depth)
    {
        string full = Path.GetFullPath(path);
        if (depth > 40) return full; // a loop of links; the file system will refuse it anyway
        string root = Path.GetPathRoot(full) ?? "/";
        string current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is { } target)
                next = Resolve(Path.IsPathRooted(target) ? target : Path.Combine(current, target), depth + 1);
            current = next;
        }
        return current;
    }

    private static void CheckWritable(NamedPath o)
    {
        string full = Path.GetFullPath(o.Path);
        if (Directory.Exists(full)) throw new UsageException($"{o.Option} {Shown(o.Path)} is a folder; give a file name");
        string dir = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(dir)) throw new UsageException($"{o.Option} {Shown(o.Path)}: the folder {Shown(dir)} does not exist");
        string probe = Path.Combine(dir, $".nabla-write-check.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{o.Option} {Shown(o.Path)}: cannot write in the folder {Shown(dir)} ({e.Message})");
        }
    }

    private static string Described(NamedPath input) => input.Option switch
    {
        "--resume" => $"the model being resumed ({Shown(input.Path)})",
        "optimizer state" => $"the optimizer state of the model being resumed ({Shown(input.Path)})",
        _ => $"the input of {input.Option} ({Shown(input.Path)})",
    };

    private static string Shown(string path) => Printable.Escape(path);
}
