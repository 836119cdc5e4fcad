using System.Globalization;
using System.Text;

namespace Nabla.Cli;

/// <summary>One line of a chart: a name, a colour and a value per epoch (NaN = missing).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Color">SVG colour.</param>
/// <param name="Values">Y values for epochs 1, 2, ….</param>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<double> Values);

/// <summary>One panel: a title and its series.</summary>
/// <param name="Title">Panel title, e.g. "loss".</param>
/// <param name="Series">The lines drawn in it.</param>
internal sealed record ChartPanel(string Title, IReadOnlyList<ChartSeries> Series);

/// <summary>
/// Renders training curves as a standalone SVG: one panel per metric side by side, each with
/// axes, "nice" tick values (1, 2, 5 × 10ᵏ steps), grid lines, markers and a legend.
/// </summary>
internal static class SvgChart
{
    private const int PanelWidth = 420, PanelHeight = 300, Left = 60, Right = 20, Top = 40, Bottom = 45;

    public static string Render(IReadOnlyList<ChartPanel> panels)
    {
        var sb = new StringBuilder();
        int width = PanelWidth * Math.Max(1, panels.Count);
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{PanelHeight}\" viewBox=\"0 0 {width} {PanelHeight}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int p = 0; p < panels.Count; p++) RenderPanel(sb, panels[p], p * PanelWidth);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void RenderPanel(StringBuilder sb, ChartPanel panel, int x0)
    {
        int plotW = PanelWidth - Left - Right, plotH = PanelHeight - Top - Bottom;
        int epochs = panel.Series.Count == 0 ? 1 : panel.Series.Max(s => s.Values.Count);
        var finite = panel.Series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        double lo = finite.Count == 0 ? 0 : finite.Min(), hi = finite.Count == 0 ? 1 : finite.Max();
        if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
        var yTicks = NiceTicks(lo, hi, 5);
        lo = Math.Min(lo, yTicks[0]);
        hi = Math.Max(hi, yTicks[^1]);
        double X(double epoch) => x0 + Left + (epochs == 1 ? plotW / 2.0 : (epoch - 1) * plotW / (epochs - 1));
        double Y(double v) => Top + plotH - (v - lo) / (hi - lo) * plotH;

        sb.Append(Inv($"<text x=\"{x0 + PanelWidth / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(panel.Title)}</text>\n"));
        foreach (var t in yTicks)
        {
            sb.Append(Inv($"<line x1=\"{x0 + Left}\" y1=\"{Y(t):F1}\" x2=\"{x0 + Left + plotW}\" y2=\"{Y(t):F1}\" stroke=\"#e5e5e5\"/>\n"));
            sb.Append(Inv($"<text x=\"{x0 + Left - 6}\" y=\"{Y(t) + 4:F1}\" text-anchor=\"end\">{FormatTick(t)}</text>\n"));
        }
        foreach (int e in EpochTicks(epochs))
        {
            sb.Append(Inv($"<line x1=\"{X(e):F1}\" y1=\"{Top + plotH}\" x2=\"{X(e):F1}\" y2=\"{Top + plotH + 5}\" stroke=\"black\"/>\n"));
            sb.Append(Inv($"<text x=\"{X(e):F1}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{e}</text>\n"));
        }
        sb.Append(Inv($"<line x1=\"{x0 + Left}\" y1=\"{Top}\" x2=\"{x0 + Left}\" y2=\"{Top + plotH}\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<line x1=\"{x0 + Left}\" y1=\"{Top + plotH}\" x2=\"{x0 + Left + plotW}\" y2=\"{Top + plotH}\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<text x=\"{x0 + Left + plotW / 2}\" y=\"{PanelHeight - 8}\" text-anchor=\"middle\">epoch</text>\n"));

        int legendY = Top + 4;
        foreach (var s in panel.Series)
        {
            var points = new List<string>();
            for (int i = 0; i < s.Values.Count; i++)
                if (double.IsFinite(s.Values[i])) points.Add(Inv($"{X(i + 1):F1},{Y(s.Values[i]):F1}"));
            if (points.Count == 0) continue;
            sb.Append(Inv($"<polyline fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>\n"));
            foreach (var pt in points)
            {
                var xy = pt.Split(',');
                sb.Append(Inv($"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"2.5\" fill=\"{s.Color}\"/>\n"));
            }
            int lx = x0 + Left + plotW - 110;
            sb.Append(Inv($"<line x1=\"{lx}\" y1=\"{legendY}\" x2=\"{lx + 18}\" y2=\"{legendY}\" stroke=\"{s.Color}\" stroke-width=\"2\"/>\n"));
            sb.Append(Inv($"<text x=\"{lx + 24}\" y=\"{legendY + 4}\">{Escape(s.Name)}</text>\n"));
            legendY += 16;
        }
    }

    /// <summary>About <paramref name="count"/> round tick values covering [lo, hi] with a step of 1, 2 or 5 × 10ᵏ.</summary>
    internal static double[] NiceTicks(double lo, double hi, int count)
    {
        double raw = (hi - lo) / Math.Max(1, count - 1);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = mag * (raw / mag <= 1 ? 1 : raw / mag <= 2 ? 2 : raw / mag <= 5 ? 5 : 10);
        double start = Math.Floor(lo / step) * step, end = Math.Ceiling(hi / step) * step;
        var ticks = new List<double>();
        for (double t = start; t <= end + step / 2; t += step) ticks.Add(Math.Round(t / step) * step);
        return [.. ticks];
    }

    private static IEnumerable<int> EpochTicks(int epochs)
    {
        int step = Math.Max(1, (int)Math.Ceiling(epochs / 10.0));
        for (int e = 1; e <= epochs; e += step) yield return e;
    }

    private static string FormatTick(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
