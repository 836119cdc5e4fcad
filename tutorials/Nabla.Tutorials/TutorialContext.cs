namespace Nabla.Tutorials;

/// <summary>Where a tutorial prints, reads its data and writes its pictures.</summary>
/// <param name="Out">Everything the tutorial prints goes here (the runner adds the JSON line).</param>
/// <param name="DataDir">The shared real data sets (<c>../shared/data</c> beside the repository).</param>
/// <param name="OutputDir">Folder for the files a tutorial writes (plots, image grids).</param>
public sealed record TutorialContext(TextWriter Out, string DataDir, string OutputDir)
{
    /// <summary>A file of the data folder; throws naming it when it is missing.</summary>
    public string Data(params string[] parts)
    {
        var path = Path.Combine([DataDir, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"tutorial data not found: {path} (give the data folder with --data DIR)", path);
        return path;
    }

    /// <summary>A path in the output folder.</summary>
    public string Output(string fileName) => Path.Combine(OutputDir, fileName);
}
