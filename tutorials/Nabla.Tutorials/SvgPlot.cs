using System.Globalization;
using System.Text;

namespace Nabla.Tutorials;

/// <summary>
/// A small line chart as a standalone SVG (curves per epoch, labelled axes, a legend beside the plot), enough for
/// a tutorial's figure; the CLI's <c>--plot</c> has its own fuller chart.
/// </summary>
public static class SvgPlot
{
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

    /// <summary>Writes the chart of <paramref name="series"/> (one value per epoch each) to <paramref name="path"/>.</summary>
    public static void Save(string path, string title, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        const double left = 60, top = 30, width = 360, height = 220;
        int epochs = series.Max(s => s.Values.Count);
        double max = series.SelectMany(s => s.Values).Where(double.IsFinite).Max();
        double min = Math.Min(0, series.SelectMany(s => s.Values).Where(double.IsFinite).Min());
        double X(int epoch) => left + (epochs == 1 ? 0 : width * epoch / (epochs - 1));
        double Y(double v) => top + height * (1 - (v - min) / (max - min));
        var sb = new StringBuilder();
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"300\" font-family=\"sans-serif\" font-size=\"11\">\n"));
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(Inv($"<text x=\"{left}\" y=\"18\" font-size=\"13\">{title}</text>\n"));
        sb.Append(Inv($"<rect x=\"{left}\" y=\"{top}\" width=\"{width}\" height=\"{height}\" fill=\"none\" stroke=\"#888\"/>\n"));
        for (int k = 0; k <= 4; k++)
        {
            double v = min + (max - min) * k / 4;
            sb.Append(Inv($"<text x=\"{left - 6}\" y=\"{Y(v) + 4:F1}\" text-anchor=\"end\">{v:G3}</text>\n"));
        }
        foreach (int e in new[] { 0, (epochs - 1) / 2, epochs - 1 }.Distinct())
            sb.Append(Inv($"<text x=\"{X(e):F1}\" y=\"{top + height + 14}\" text-anchor=\"middle\">{e + 1}</text>\n"));
        sb.Append(Inv($"<text x=\"{left + width / 2}\" y=\"{top + height + 30}\" text-anchor=\"middle\">epoch</text>\n"));
        sb.Append(Inv($"<text transform=\"translate(16 {top + height / 2}) rotate(-90)\" text-anchor=\"middle\">{yLabel}</text>\n"));
        for (int s = 0; s < series.Count; s++)
        {
            var color = Colors[s % Colors.Length];
            var points = string.Join(" ", series[s].Values.Select((v, e) => Inv($"{X(e):F1},{Y(v):F1}")));
            sb.Append(Inv($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{points}\"/>\n"));
            sb.Append(Inv($"<line x1=\"{left + width + 14}\" x2=\"{left + width + 34}\" y1=\"{top + 10 + 16 * s}\" y2=\"{top + 10 + 16 * s}\" stroke=\"{color}\" stroke-width=\"2\"/>\n"));
            sb.Append(Inv($"<text x=\"{left + width + 40}\" y=\"{top + 14 + 16 * s}\">{series[s].Name}</text>\n"));
        }
        sb.Append("</svg>\n");
        File.WriteAllText(path, sb.ToString());
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
