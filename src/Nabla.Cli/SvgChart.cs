using System.Globalization;
using System.Text;

namespace Nabla.Cli;

/// <summary>One line of a chart: a name, a colour and a value per epoch (NaN = missing).</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Color">SVG colour.</param>
/// <param name="Values">Y values for epochs 1, 2, ….</param>
internal sealed record ChartSeries(string Name, string Color, IReadOnlyList<double> Values);

/// <summary>One panel: a title, the y axis's label and its series.</summary>
/// <param name="Title">Panel title, e.g. "loss".</param>
/// <param name="YLabel">Label of the y axis, e.g. "cross-entropy loss".</param>
/// <param name="Series">The lines drawn in it.</param>
internal sealed record ChartPanel(string Title, string YLabel, IReadOnlyList<ChartSeries> Series);

/// <summary>
/// Renders training curves as a standalone SVG: one panel per metric side by side, each with a
/// framed plot area, labelled axes ("epoch" and the metric), "nice" y ticks (1, 2, 5 × 10ᵏ steps),
/// epoch ticks that always include the first and last epoch, a legend to the right of the plot area
/// (never over a curve), and an optional best-epoch marker. Elements carry classes (<c>plot-area</c>,
/// <c>x-label</c>, <c>y-label</c>, <c>x-tick</c>, <c>legend</c>, <c>best-epoch</c>) so tests can check the
/// structure without rendering.
/// </summary>
internal static class SvgChart
{
    private const int PanelWidth = 470, PanelHeight = 320, Left = 72, PlotWidth = 270, Top = 42, PlotHeight = 218, LegendGap = 14;

    /// <summary>The SVG text; <paramref name="bestEpoch"/> (1-based) gets a dashed marker in every panel.</summary>
    public static string Render(IReadOnlyList<ChartPanel> panels, int? bestEpoch = null)
    {
        var sb = new StringBuilder();
        int width = PanelWidth * Math.Max(1, panels.Count);
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{PanelHeight}\" viewBox=\"0 0 {width} {PanelHeight}\" font-family=\"sans-serif\" font-size=\"11\">\n"));
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int p = 0; p < panels.Count; p++) RenderPanel(sb, panels[p], p * PanelWidth, bestEpoch);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void RenderPanel(StringBuilder sb, ChartPanel panel, int x0, int? bestEpoch)
    {
        int epochs = panel.Series.Count == 0 ? 1 : Math.Max(1, panel.Series.Max(s => s.Values.Count));
        var finite = panel.Series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        double lo = finite.Count == 0 ? 0 : finite.Min(), hi = finite.Count == 0 ? 1 : finite.Max();
        if (hi - lo <= 1e-12 * Math.Max(1, Math.Abs(hi)))
        {
            double pad = Math.Max(Math.Abs(hi) * 0.1, 1e-12);
            (lo, hi) = (lo - pad, hi + pad);
        }
        var yTicks = NiceTicks(lo, hi, 5);
        lo = Math.Min(lo, yTicks[0]);
        hi = Math.Max(hi, yTicks[^1]);
        int left = x0 + Left, right = left + PlotWidth, bottom = Top + PlotHeight;
        double X(double epoch) => left + (epochs == 1 ? PlotWidth / 2.0 : (epoch - 1) * PlotWidth / (epochs - 1));
        double Y(double v) => bottom - (v - lo) / (hi - lo) * PlotHeight;

        sb.Append(Inv($"<g class=\"panel\" data-title=\"{Escape(panel.Title)}\">\n"));
        sb.Append(Inv($"<text class=\"title\" x=\"{left + PlotWidth / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(panel.Title)}</text>\n"));
        sb.Append(Inv($"<rect class=\"plot-area\" x=\"{left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#bbb\"/>\n"));
        foreach (var t in yTicks)
        {
            sb.Append(Inv($"<line x1=\"{left}\" y1=\"{Y(t):F1}\" x2=\"{right}\" y2=\"{Y(t):F1}\" stroke=\"#e5e5e5\"/>\n"));
            sb.Append(Inv($"<text class=\"y-tick\" x=\"{left - 6}\" y=\"{Y(t) + 4:F1}\" text-anchor=\"end\">{Numbers.Significant(t, 4)}</text>\n"));
        }
        foreach (int e in EpochTicks(epochs))
        {
            sb.Append(Inv($"<line x1=\"{X(e):F1}\" y1=\"{bottom}\" x2=\"{X(e):F1}\" y2=\"{bottom + 5}\" stroke=\"black\"/>\n"));
            sb.Append(Inv($"<text class=\"x-tick\" x=\"{X(e):F1}\" y=\"{bottom + 18}\" text-anchor=\"middle\">{e}</text>\n"));
        }
        sb.Append(Inv($"<line x1=\"{left}\" y1=\"{Top}\" x2=\"{left}\" y2=\"{bottom}\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<line x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"black\"/>\n"));
        sb.Append(Inv($"<text class=\"x-label\" x=\"{left + PlotWidth / 2}\" y=\"{bottom + 38}\" text-anchor=\"middle\">epoch</text>\n"));
        double yMid = Top + PlotHeight / 2.0;
        sb.Append(Inv($"<text class=\"y-label\" x=\"{x0 + 16}\" y=\"{yMid:F1}\" text-anchor=\"middle\" transform=\"rotate(-90 {x0 + 16} {yMid:F1})\">{Escape(panel.YLabel)}</text>\n"));

        if (bestEpoch is int best && best >= 1 && best <= epochs)
        {
            sb.Append(Inv($"<line class=\"best-epoch\" x1=\"{X(best):F1}\" y1=\"{Top}\" x2=\"{X(best):F1}\" y2=\"{bottom}\" stroke=\"#2ca02c\" stroke-dasharray=\"4 3\"/>\n"));
        }

        var legend = new StringBuilder();
        int legendY = Top + 8;
        foreach (var s in panel.Series)
        {
            var points = new List<(double X, double Y)>();
            for (int i = 0; i < s.Values.Count; i++)
                if (double.IsFinite(s.Values[i])) points.Add((X(i + 1), Y(s.Values[i])));
            if (points.Count == 0) continue;
            sb.Append(Inv($"<polyline fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\" points=\"{string.Join(' ', points.Select(p => Inv($"{p.X:F1},{p.Y:F1}")))}\"/>\n"));
            foreach (var (px, py) in points) sb.Append(Inv($"<circle cx=\"{px:F1}\" cy=\"{py:F1}\" r=\"2.5\" fill=\"{s.Color}\"/>\n"));
            int lx = right + LegendGap;
            legend.Append(Inv($"<line x1=\"{lx}\" y1=\"{legendY}\" x2=\"{lx + 18}\" y2=\"{legendY}\" stroke=\"{s.Color}\" stroke-width=\"2\"/>\n"));
            legend.Append(Inv($"<text x=\"{lx + 24}\" y=\"{legendY + 4}\">{Escape(s.Name)}</text>\n"));
            legendY += 16;
        }
        if (bestEpoch is int b && b >= 1 && b <= epochs)
        {
            int lx = right + LegendGap;
            legend.Append(Inv($"<line x1=\"{lx}\" y1=\"{legendY}\" x2=\"{lx + 18}\" y2=\"{legendY}\" stroke=\"#2ca02c\" stroke-dasharray=\"4 3\"/>\n"));
            legend.Append(Inv($"<text class=\"best-epoch-label\" x=\"{lx + 24}\" y=\"{legendY + 4}\">best epoch {b}</text>\n"));
        }
        sb.Append("<g class=\"legend\">\n").Append(legend).Append("</g>\n</g>\n");
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

    /// <summary>
    /// Epoch ticks 1, 1 + k, 1 + 2k, … (about ten) and always the last epoch, so both ends of the range are
    /// labelled; a regular tick closer than k/2 to the last one is dropped so their labels never overlap.
    /// </summary>
    internal static List<int> EpochTicks(int epochs)
    {
        int step = Math.Max(1, (int)Math.Ceiling(epochs / 10.0));
        var ticks = new List<int>();
        for (int e = 1; e <= epochs; e += step) ticks.Add(e);
        if (ticks[^1] != epochs)
        {
            if (ticks.Count > 1 && epochs - ticks[^1] < (step + 1) / 2) ticks.RemoveAt(ticks.Count - 1);
            ticks.Add(epochs);
        }
        return ticks;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
