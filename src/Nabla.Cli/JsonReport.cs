using System.Text;
using System.Text.Json;

namespace Nabla.Cli;

/// <summary>
/// <c>--json</c> output: one JSON object per line (an object per epoch, then a final summary), so
/// scripts can read the last line. Non-finite numbers are written as null.
/// </summary>
internal static class JsonReport
{
    /// <summary>Writes one object built from <paramref name="fields"/> (string, number, bool, null, string list, number list).</summary>
    public static void WriteLine(TextWriter writer, IEnumerable<KeyValuePair<string, object?>> fields)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            foreach (var (key, value) in fields)
            {
                w.WritePropertyName(key);
                WriteValue(w, value);
            }
            w.WriteEndObject();
        }
        writer.WriteLine(Encoding.UTF8.GetString(ms.ToArray()));
        writer.Flush();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case System.Text.Json.Nodes.JsonNode node: node.WriteTo(w); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case float f: WriteDouble(w, f); break;
            case double d: WriteDouble(w, d); break;
            case IEnumerable<string> list:
                w.WriteStartArray();
                foreach (var s in list) w.WriteStringValue(s);
                w.WriteEndArray();
                break;
            case long[,] m:
                w.WriteStartArray();
                for (int r = 0; r < m.GetLength(0); r++)
                {
                    w.WriteStartArray();
                    for (int c = 0; c < m.GetLength(1); c++) w.WriteNumberValue(m[r, c]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                break;
            default: w.WriteStringValue(value.ToString()); break;
        }
    }

    private static void WriteDouble(Utf8JsonWriter w, double d)
    {
        if (double.IsFinite(d)) w.WriteRawValue(Numbers.Json(d));   // plain decimals: WriteNumberValue would write 1E-06
        else w.WriteNullValue();
    }
}
