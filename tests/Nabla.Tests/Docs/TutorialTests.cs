using System.Text.Json;
using Nabla.Tests.Architecture;
using Nabla.Tutorials;

namespace Nabla.Tests.Docs;

/// <summary>
/// Every tutorial of <c>tutorials/</c> runs here in-process, with the budget and the single thread of the command its
/// page shows: its headline figure must meet the floor the tutorial declares, and the JSON line quoted on its page
/// must hold the same figures as this run (within 0.02 or 5 %: equal on the machine that wrote the page, close on
/// one whose SIMD width rounds differently). A changed tutorial therefore fails here until its page is regenerated
/// (<c>-- NN --update-page</c>).
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class TutorialTests
{
    public static TheoryData<string> Numbers()
    {
        var data = new TheoryData<string>();
        foreach (var t in TutorialRunner.All) data.Add(t.Number);
        return data;
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void Tutorial_meets_its_floor_and_its_page_quotes_the_command_and_the_figures_it_prints(string number)
    {
        var tutorial = TutorialRunner.Find(number)!;
        var output = new StringWriter();
        var folder = Directory.CreateTempSubdirectory("nabla-tutorial-");
        try
        {
            var (figures, json) = TutorialRunner.Run(tutorial, new TutorialContext(output, TestData.DataDir, folder.FullName));
            var lines = output.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
            Assert.Equal(json, lines[^1]);
            var headline = Convert.ToDouble(figures.Single(f => f.Key == tutorial.Headline).Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(tutorial.Meets(headline), $"tutorial {number}: {tutorial.Headline} = {headline}, floor {tutorial.Floor} ({(tutorial.HigherIsBetter ? "at least" : "at most")})");

            var page = File.ReadAllText(Path.Combine(LayeringTests.RepoRoot(), "tutorials", tutorial.Page));
            Assert.Contains(tutorial.Command + "\n", page, StringComparison.Ordinal);
            var quoted = QuotedJson(page, tutorial.Page);
            using var printed = JsonDocument.Parse(json);
            Assert.Equal(Keys(printed.RootElement), Keys(quoted.RootElement));
            foreach (var property in printed.RootElement.EnumerateObject())
            {
                var onPage = quoted.RootElement.GetProperty(property.Name);
                if (property.Value.ValueKind == JsonValueKind.Number)
                {
                    double run = property.Value.GetDouble(), shown = onPage.GetDouble();
                    Assert.True(Math.Abs(run - shown) <= Math.Max(0.02, 0.05 * Math.Abs(shown)),
                        $"{tutorial.Page} shows {property.Name} = {shown}, the run printed {run}: regenerate the page (-- {number} --update-page)");
                }
                else
                {
                    Assert.Equal(property.Value.ToString(), onPage.ToString());
                }
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Every_tutorial_has_its_page_in_the_index_and_the_table_of_contents_in_lecture_order()
    {
        var root = Path.Combine(LayeringTests.RepoRoot(), "tutorials");
        var index = File.ReadAllText(Path.Combine(root, "README.md"));
        var toc = File.ReadAllText(Path.Combine(root, "toc.yml"));
        for (int i = 0; i < TutorialRunner.All.Count; i++)
        {
            var t = TutorialRunner.All[i];
            Assert.Equal((i + 1).ToString("D2", System.Globalization.CultureInfo.InvariantCulture), t.Number);
            Assert.True(File.Exists(Path.Combine(root, t.Page)), $"missing page tutorials/{t.Page}");
            Assert.Contains($"({t.Page})", index, StringComparison.Ordinal);
            Assert.Contains($"href: {t.Page}", toc, StringComparison.Ordinal);
        }
        Assert.Equal(TutorialRunner.All.Count, Directory.GetFiles(root, "??-*.md").Length);
    }

    [Fact]
    public void The_runner_refuses_an_unknown_tutorial_with_exit_code_2_and_one_line()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, TutorialRunner.Execute(["99"], output, error));
        Assert.Equal("tutorials: no tutorial '99' (01–13, all, list)", error.ToString().Trim());
    }

    private static string[] Keys(JsonElement o) => [.. o.EnumerateObject().Select(p => p.Name)];

    // The last line of the page's output block that is a JSON object: what the tutorial printed last.
    private static JsonDocument QuotedJson(string page, string name)
    {
        int begin = page.IndexOf(TutorialRunner.OutputBegin, StringComparison.Ordinal);
        int end = page.IndexOf(TutorialRunner.OutputEnd, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"{name} has no {TutorialRunner.OutputBegin} block");
        var line = page[begin..end].ReplaceLineEndings("\n").Split('\n').Last(l => l.StartsWith('{'));
        return JsonDocument.Parse(line);
    }
}
