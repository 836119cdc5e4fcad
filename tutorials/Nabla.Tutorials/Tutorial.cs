using System.Globalization;

namespace Nabla.Tutorials;

/// <summary>
/// One tutorial: a short program that prints what it does and, as its last line, its figures as one JSON
/// object. <see cref="Headline"/> names the figure the page is about and CI asserts against <see cref="Floor"/>.
/// </summary>
public abstract class Tutorial
{
    /// <summary>Two digits, "01".</summary>
    public abstract string Number { get; }

    /// <summary>The page's name after the number, "perceptrons" (page <c>tutorials/01-perceptrons.md</c>).</summary>
    public abstract string Slug { get; }

    /// <summary>The lecture topic, for the list.</summary>
    public abstract string Title { get; }

    /// <summary>The key of the headline figure in the JSON line.</summary>
    public abstract string Headline { get; }

    /// <summary>The least (or, when <see cref="HigherIsBetter"/> is false, the most) the headline figure may be.</summary>
    public abstract double Floor { get; }

    /// <summary>Whether a larger headline figure is better (accuracy) or worse (a distance, an error).</summary>
    public virtual bool HigherIsBetter => true;

    /// <summary>The page's file name.</summary>
    public string Page => $"{Number}-{Slug}.md";

    /// <summary>The command the page shows.</summary>
    public string Command => $"dotnet run -c Release --project tutorials/Nabla.Tutorials -- {Number}";

    /// <summary>Runs the tutorial, printing to <c>context.Out</c>, and returns its figures in print order.</summary>
    public abstract IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context);

    /// <summary>Whether <paramref name="value"/> meets the floor.</summary>
    public bool Meets(double value) => HigherIsBetter ? value >= Floor : value <= Floor;

    /// <summary>A figure rounded for the JSON line.</summary>
    protected static KeyValuePair<string, object> Figure(string key, double value, int digits = 4) => new(key, Math.Round(value, digits, MidpointRounding.AwayFromZero));

    /// <summary>A whole number or text for the JSON line.</summary>
    protected static KeyValuePair<string, object> Figure(string key, object value) => new(key, value);

    /// <summary>Invariant formatting for printed lines.</summary>
    protected static string F(double value, string format = "F4") => value.ToString(format, CultureInfo.InvariantCulture);
}
