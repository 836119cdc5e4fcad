using System.Globalization;

namespace Nabla.Cli;

/// <summary>
/// Numbers as the tool prints them: plain decimals, never exponent notation (<c>17,450</c> and
/// <c>0.00001234</c>, not <c>1.745E+04</c> or <c>1.234E-05</c>), so they read at a glance and parse anywhere.
/// </summary>
internal static class Numbers
{
    /// <summary>
    /// A figure for people: 4 decimals; |v| ≥ 10⁴ as a grouped whole number (<c>17,450</c>); 0 &lt; |v| &lt; 10⁻³
    /// with 4 significant digits (<c>0.00001234</c>); "-" when not finite.
    /// </summary>
    public static string Figure(double v)
    {
        if (!double.IsFinite(v)) return "-";
        if (Math.Abs(v) >= 1e4) return v.ToString("#,0", CultureInfo.InvariantCulture);
        if (v != 0 && Math.Abs(v) < 1e-3) return Significant(v, 4);
        return v.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    /// <summary><paramref name="v"/> with <paramref name="significant"/> significant digits (at least the whole part), trailing zeros dropped.</summary>
    public static string Significant(double v, int significant)
    {
        if (v == 0 || !double.IsFinite(v)) return v.ToString(CultureInfo.InvariantCulture);
        int decimals = Math.Clamp(significant - 1 - (int)Math.Floor(Math.Log10(Math.Abs(v))), 0, 60);
        return v.ToString(decimals == 0 ? "0" : "0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    /// <summary>A JSON number: 6 decimals, or 6 significant digits when that is finer; no exponent.</summary>
    public static string Json(double v)
    {
        if (v == 0) return "0";
        int decimals = Math.Clamp(Math.Max(6, 5 - (int)Math.Floor(Math.Log10(Math.Abs(v)))), 0, 60);
        return v.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }
}
