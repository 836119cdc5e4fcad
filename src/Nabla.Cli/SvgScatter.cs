using System.Globalization;
using System.Text;

namespace Nabla.Cli;

/// <summary>
/// A 2-D scatter plot as a standalone SVG (for <c>nabla encode --scatter</c>): one dot per point in a framed
/// plot area with "nice" ticks on both axes, labelled axes, and, when points have classes, one colour per
/// class (the ten colours of matplotlib's tab10, then repeated) with a legend to the right of the plot area.
/// Elements carry classes (<c>plot-area</c>, <c>x-label</c>, <c>y-label</c>, <c>point</c>, <c>legend</c>) so
/// tests can check the structure without rendering.
/// </summary>
internal static class SvgScatter
{
    private const int Left = 64, Top = 40, Plot = 440, LegendWidth = 170, Bottom = 56;

    /// <summary>matplotlib's tab10 palette.</summary>
    public static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>The SVG text.</summary>
    /// <param name="x">Horizontal coordinates.</param>
    /// <param name="y">Vertical coordinates (same count).</param>
    /// <param name="classes">Class index per point (colour), or null for one colour.</param>
    /// <param name="classNames">Legend text per class index.</param>
    /// <param name="title">Title above the plot.</param>
    /// <param name="xLabel">Label of the x axis.</param>
    /// <param name="yLabel">Label of the y axis.</param>
    public static string Render(IReadOnlyList<double> x, IReadOnlyList<double> y, IReadOnlyList<int>? classes, IReadOnlyList<string> classNames,
        string title, string xLabel, string yLabel)
    {
        var sb = new StringBuilder();
        int width = Left + Plot + 20 + (classes is null ? 0 : LegendWidth), height = Top + Plot + Bottom;
        sb.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n"));
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.Append(Inv($"<text class=\"title\" x=\"{Left + Plot / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Escape(title)}</text>\n"));
        var (xTicks, xLo, xHi) = Axis(x);
        var (yTicks, yLo, yHi) = Axis(y);
        double Px(double v) => Left + (v - xLo) / (xHi - xLo) * Plot;
        double Py(double v) => Top + Plot - (v - yLo) / (yHi - yLo) * Plot;
        sb.Append(Inv($"<rect class=\"plot-area\" x=\"{Left}\" y=\"{Top}\" width=\"{Plot}\" height=\"{Plot}\" fill=\"none\" stroke=\"#333\"/>\n"));
        foreach (var t in xTicks)
        {
            double px = Px(t);
            sb.Append(Inv($"<line x1=\"{px:0.##}\" y1=\"{Top + Plot}\" x2=\"{px:0.##}\" y2=\"{Top + Plot + 5}\" stroke=\"#333\"/>"));
            sb.Append(Inv($"<text class=\"x-tick\" x=\"{px:0.##}\" y=\"{Top + Plot + 18}\" text-anchor=\"middle\">{Tick(t)}</text>\n"));
        }
        foreach (var t in yTicks)
        {
            double py = Py(t);
            sb.Append(Inv($"<line x1=\"{Left - 5}\" y1=\"{py:0.##}\" x2=\"{Left}\" y2=\"{py:0.##}\" stroke=\"#333\"/>"));
            sb.Append(Inv($"<text class=\"y-tick\" x=\"{Left - 8}\" y=\"{py + 4:0.##}\" text-anchor=\"end\">{Tick(t)}</text>\n"));
        }
        sb.Append(Inv($"<text class=\"x-label\" x=\"{Left + Plot / 2}\" y=\"{Top + Plot + 40}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        sb.Append(Inv($"<text class=\"y-label\" x=\"16\" y=\"{Top + Plot / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Top + Plot / 2})\">{Escape(yLabel)}</text>\n"));
        sb.Append("<g class=\"points\" fill-opacity=\"0.7\">\n");
        for (int i = 0; i < x.Count; i++)
        {
            string color = classes is null ? Palette[0] : Palette[classes[i] % Palette.Length];
            sb.Append(Inv($"<circle class=\"point\" cx=\"{Px(x[i]):0.#}\" cy=\"{Py(y[i]):0.#}\" r=\"2.5\" fill=\"{color}\"/>\n"));
        }
        sb.Append("</g>\n");
        if (classes is not null)
        {
            sb.Append("<g class=\"legend\">\n");
            var present = classes.Distinct().Order().ToList();
            for (int k = 0; k < present.Count; k++)
            {
                int c = present[k], ly = Top + 10 + k * 18;
                string name = c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture);
                sb.Append(Inv($"<circle cx=\"{Left + Plot + 24}\" cy=\"{ly}\" r=\"5\" fill=\"{Palette[c % Palette.Length]}\"/>"));
                sb.Append(Inv($"<text class=\"legend-label\" x=\"{Left + Plot + 36}\" y=\"{ly + 4}\">{Escape(name)}</text>\n"));
            }
            sb.Append("</g>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    // Ticks covering the values' range (a flat range gets some room around it).
    private static (double[] Ticks, double Lo, double Hi) Axis(IReadOnlyList<double> v)
    {
        var finite = v.Where(double.IsFinite).ToList();
        double lo = finite.Count == 0 ? 0 : finite.Min(), hi = finite.Count == 0 ? 1 : finite.Max();
        if (hi - lo <= 1e-12 * Math.Max(1, Math.Abs(hi)))
        {
            double pad = Math.Max(Math.Abs(hi) * 0.1, 1e-3);
            (lo, hi) = (lo - pad, hi + pad);
        }
        var ticks = SvgChart.NiceTicks(lo, hi, 6);
        return (ticks, Math.Min(lo, ticks[0]), Math.Max(hi, ticks[^1]));
    }

    private static string Tick(double t) => Numbers.Significant(t, 4);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}
