using System.Text.Json;

namespace Bgtask.Cli.Output;

/// <summary><c>--json</c>: the service's JSON exactly as it came, one document, nothing else on stdout.</summary>
public static class JsonOut
{
    public static System.CommandLine.Option<bool> Option() => new("--json")
    {
        Description = "Print the service's JSON (the contract's document) and nothing else",
    };

    public static void Write(JsonElement? document) => Console.Out.WriteLine(document?.GetRawText() ?? "null");
}
