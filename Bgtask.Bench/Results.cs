using System.Globalization;
using System.Text.Json;

namespace Bgtask.Bench;

/// <summary>Every figure beside its reference from the same run, as a ratio, against its target.</summary>
public sealed class Results
{
    private readonly Dictionary<string, Dictionary<string, double>> _metrics = new(StringComparer.Ordinal);
    private readonly List<Row> _rows = [];

    public sealed record Row(string Scenario, string What, string Figure, string Reference, string Ratio, string Target, string Verdict);

    public void Add(string scenario, string metric, double value)
    {
        if (!_metrics.TryGetValue(scenario, out var metrics)) _metrics[scenario] = metrics = new(StringComparer.Ordinal);
        metrics[metric] = Math.Round(value, 3);
    }

    /// <summary>A table row. <paramref name="ratio"/> is figure / reference; <paramref name="met"/> null: no target.</summary>
    public void Line(string scenario, string what, string figure, string reference = "-", double? ratio = null,
        string target = "-", bool? met = null)
    {
        var row = new Row(scenario, what, figure, reference, ratio is { } r ? r.ToString(r < 0.01 ? "0.0000" : "0.00", CultureInfo.InvariantCulture) : "-",
            target, met switch { true => "met", false => "MISSED", null => "-" });
        _rows.Add(row);
        Console.WriteLine($"  {what}: {figure} | ref {reference} | ratio {row.Ratio} | target {target} | {row.Verdict}");
    }

    public void PrintTable(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("| scenario | figure | measured | reference (same run) | ratio | target | verdict |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var r in _rows)
            output.WriteLine($"| {r.Scenario} | {r.What} | {r.Figure} | {r.Reference} | {r.Ratio} | {r.Target} | {r.Verdict} |");
    }

    public void WriteJson(string path)
    {
        File.WriteAllText(path, JsonSerializer.Serialize(_metrics, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {path}");
    }
}

public static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = p / 100 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    public static string N(double n, string unit = "") => n.ToString(n < 100 ? "0.0" : "#,0", CultureInfo.InvariantCulture) + unit;

    public static double ElapsedMs(long from, long to) => (to - from) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
}
