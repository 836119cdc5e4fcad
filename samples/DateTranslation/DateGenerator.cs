using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Samples;

/// <summary>
/// Dates written the many ways people write them, each paired with its ISO form: "3rd of March 2021",
/// "03/03/21", "March 3, 2021", "Wed 3 Mar 2021" … → "2021-03-03". Seeded, so a seed always gives
/// the same pairs. Every format is unambiguous: slashed and dotted numbers are always day first
/// (European), year-first numbers are year-month-day, and two-digit years mean 1950–2049.
/// </summary>
internal static class DateGenerator
{
    private static readonly string[] Months =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    private static readonly string[] Days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private static readonly Func<DateOnly, string>[] Formats =
    [
        d => $"{Ordinal(d.Day)} of {Month(d)} {d.Year}",                       // 3rd of March 2021
        d => $"the {Ordinal(d.Day)} of {Month(d)}, {d.Year}",                  // the 3rd of March, 2021
        d => $"{Month(d)} {d.Day}, {d.Year}",                                  // March 3, 2021
        d => $"{Month(d)} {Ordinal(d.Day)}, {d.Year}",                         // March 3rd, 2021
        d => $"{d.Day} {Month(d)} {d.Year}",                                   // 3 March 2021
        d => $"{Short(d)} {d.Day} {d.Year}",                                   // Mar 3 2021
        d => $"{d.Day} {Short(d)} {d.Year}",                                   // 3 Mar 2021
        d => $"{d.Day:00}-{Short(d)}-{d.Year}",                                // 03-Mar-2021
        d => $"{d.Day} {Short(d).ToUpperInvariant()} {d.Year % 100:00}",       // 3 MAR 21
        d => $"{Month(d).ToLowerInvariant()} {d.Day} {d.Year}",                // march 3 2021
        d => $"{d.Day:00}/{d.Month:00}/{d.Year % 100:00}",                     // 03/03/21
        d => $"{d.Day:00}/{d.Month:00}/{d.Year}",                              // 03/03/2021
        d => $"{d.Day}/{d.Month}/{d.Year}",                                    // 3/3/2021
        d => $"{d.Day}.{d.Month}.{d.Year}",                                    // 3.3.2021
        d => $"{d.Year}.{d.Month:00}.{d.Day:00}",                              // 2021.03.03
        d => $"{d.Year}/{d.Month}/{d.Day}",                                    // 2021/3/3
        d => $"{d.Year}{d.Month:00}{d.Day:00}",                                // 20210303
        d => $"{Weekday(d)}, {Month(d)} {d.Day}, {d.Year}",                    // Wednesday, March 3, 2021
        d => $"{Weekday(d)[..3]} {d.Day} {Short(d)} {d.Year}",                 // Wed 3 Mar 2021
        d => $"{Month(d)} {d.Day} '{d.Year % 100:00}",                             // March 3 '21
    ];

    /// <summary>Number of formats.</summary>
    public static int FormatCount => Formats.Length;

    /// <summary>
    /// <paramref name="count"/> pairs (source, ISO date) with distinct sources: a uniform date in
    /// 1950–2049 written in a uniformly chosen format.
    /// </summary>
    public static List<(string Source, string Target)> Generate(int count, Rng rng)
    {
        var start = new DateOnly(1950, 1, 1);
        int days = new DateOnly(2049, 12, 31).DayNumber - start.DayNumber + 1;
        var seen = new HashSet<string>();
        var pairs = new List<(string, string)>(count);
        while (pairs.Count < count)
        {
            var date = start.AddDays(rng.NextInt(days));
            string source = Formats[rng.NextInt(Formats.Length)](date);
            if (seen.Add(source)) pairs.Add((source, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        return pairs;
    }

    private static string Month(DateOnly d) => Months[d.Month - 1];

    private static string Short(DateOnly d) => Months[d.Month - 1][..3];

    private static string Weekday(DateOnly d) => Days[((int)d.DayOfWeek + 6) % 7];

    private static string Ordinal(int day) => day + (day % 10 == 1 && day != 11 ? "st" : day % 10 == 2 && day != 12 ? "nd" : day % 10 == 3 && day != 13 ? "rd" : "th");
}
