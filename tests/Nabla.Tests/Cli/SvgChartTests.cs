using System.Globalization;
using System.Xml.Linq;
using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>The <c>--plot</c> SVG's structure, checked without rendering: labelled axes, legend beside the plot area, both epoch ends labelled.</summary>
public sealed class SvgChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static List<Dictionary<string, double>> History(int epochs, int bestAt)
    {
        var records = new List<Dictionary<string, double>>();
        for (int e = 1; e <= epochs; e++)
            records.Add(new()
            {
                ["epoch"] = e, ["loss"] = 1.0 / e, ["accuracy"] = 1 - 0.5 / e, ["val_loss"] = 0.5 + Math.Abs(e - bestAt) * 0.01,
                ["val_accuracy"] = e == bestAt ? 1.0 : 0.99, ["lr"] = 1e-3 * (1 - (e - 1) / (double)epochs),
            });
        return records;
    }

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    private static IEnumerable<XElement> WithClass(XElement root, string name) => root.Descendants().Where(e => (string?)e.Attribute("class") == name);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 4)]
    [InlineData(23, 20)]
    [InlineData(30, 30)]
    public void Every_panel_has_labelled_axes_both_epoch_ends_labelled_and_its_legend_outside_the_plot_area(int epochs, int best)
    {
        var svg = XDocument.Parse(Plot.Render(History(epochs, best))).Root!;
        var panels = svg.Elements(Svg + "g").Where(g => (string?)g.Attribute("class") == "panel").ToList();
        Assert.Equal(["loss", "accuracy", "learning rate"], panels.Select(p => (string?)p.Attribute("data-title")));
        foreach (var panel in panels)
        {
            Assert.Equal("epoch", Assert.Single(WithClass(panel, "x-label")).Value);
            Assert.False(string.IsNullOrWhiteSpace(Assert.Single(WithClass(panel, "y-label")).Value));
            var ticks = WithClass(panel, "x-tick").Select(t => int.Parse(t.Value, CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(1, ticks[0]);
            Assert.Equal(epochs, ticks[^1]);
            Assert.True(ticks.Count <= 12, $"{ticks.Count} epoch ticks");
            var area = Assert.Single(WithClass(panel, "plot-area"));
            double areaRight = Number(area, "x") + Number(area, "width");
            var legend = Assert.Single(WithClass(panel, "legend"));
            Assert.NotEmpty(legend.Elements());
            foreach (var item in legend.Elements())
                Assert.True(Number(item, item.Name.LocalName == "line" ? "x1" : "x") > areaRight, $"legend item at x = {item.Attribute("x")?.Value ?? item.Attribute("x1")?.Value} inside the plot area ending at {areaRight}");
            var marker = Assert.Single(WithClass(panel, "best-epoch"));
            double expectedX = epochs == 1 ? Number(area, "x") + Number(area, "width") / 2 : Number(area, "x") + (best - 1) * Number(area, "width") / (epochs - 1);
            Assert.Equal(expectedX, Number(marker, "x1"), 1);
        }
        Assert.Equal($"best epoch {best}", WithClass(svg, "best-epoch-label").First().Value);
    }

    [Fact]
    public void Epoch_ticks_never_crowd_the_last_epoch()
    {
        Assert.Equal([1, 4, 7, 10, 13, 16, 19, 21], SvgChart.EpochTicks(21));
        Assert.Equal([1, 4, 7, 10, 13, 16, 19, 22, 25, 29], SvgChart.EpochTicks(29));   // 28 would crowd 29
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], SvgChart.EpochTicks(10));
        Assert.Equal([1, 4, 7, 10, 13, 16, 19, 23], SvgChart.EpochTicks(23));
        Assert.Equal([1], SvgChart.EpochTicks(1));
    }

    [Fact]
    public void Small_learning_rates_are_plain_decimal_ticks()
    {
        string svg = Plot.Render(History(5, 2).Select(r => new Dictionary<string, double>(r) { ["lr"] = 2e-5 }).ToList());
        Assert.DoesNotContain("E-", svg, StringComparison.Ordinal);
        Assert.Contains(">0.00002<", svg, StringComparison.Ordinal);
    }
}
