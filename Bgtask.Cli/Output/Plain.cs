namespace Bgtask.Cli.Output;

/// <summary>Plain text for pipes: columns padded to their widest cell, the last one unpadded.</summary>
public static class Plain
{
    public static void Columns(IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { headers.ToArray() };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count).Select(i => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            Console.Out.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }
}
