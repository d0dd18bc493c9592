using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;
using System.Text.Json;

namespace Bgtask.Cli;

/// <summary>
/// A config object from the command line: a JSON object (<c>--config</c> or <c>--json</c>) with <c>--set key=value</c>
/// pairs laid over it. A value that reads as a JSON number or boolean is one; anything else is a string. Bad
/// input is a parse error, so it ends as a usage error (64) before any request.
/// </summary>
public static class ConfigArgs
{
    public static Option<KeyValuePair<string, JsonElement>[]> Set() => new("--set")
    {
        Description = "A config value, key=value (numbers and booleans as JSON, strings otherwise); repeatable",
        HelpName = "key=value",
        CustomParser = ParsePairs,
    };

    public static Option<JsonElement?> Object(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "JSON",
        CustomParser = result =>
        {
            var text = result.Tokens[^1].Value;
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind == JsonValueKind.Object) return document.RootElement.Clone();
                result.AddError($"{name}: a JSON object is needed, not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            }
            catch (JsonException e)
            {
                result.AddError($"{name}: not valid JSON: {e.Message}");
            }
            return null;
        },
    };

    /// <summary>The base object's properties, then each pair (a later one wins), as a JSON object.</summary>
    public static JsonElement Merge(JsonElement? baseObject, IEnumerable<KeyValuePair<string, JsonElement>> pairs)
    {
        var properties = new List<KeyValuePair<string, JsonElement>>();
        if (baseObject is { ValueKind: JsonValueKind.Object } b)
            properties.AddRange(b.EnumerateObject().Select(p => new KeyValuePair<string, JsonElement>(p.Name, p.Value)));
        foreach (var pair in pairs)
        {
            properties.RemoveAll(p => p.Key == pair.Key);
            properties.Add(pair);
        }
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in properties)
            {
                writer.WritePropertyName(key);
                value.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static KeyValuePair<string, JsonElement>[] ParsePairs(ArgumentResult result)
    {
        var pairs = new List<KeyValuePair<string, JsonElement>>();
        foreach (var token in result.Tokens)
        {
            var equals = token.Value.IndexOf('=');
            if (equals <= 0)
            {
                result.AddError($"--set: '{token.Value}' is not key=value.");
                continue;
            }
            pairs.Add(new(token.Value[..equals], Value(token.Value[(equals + 1)..])));
        }
        return [.. pairs];
    }

    /// <summary><c>true</c>, <c>false</c> and JSON numbers as themselves; any other text as a JSON string.</summary>
    public static JsonElement Value(string text)
    {
        if (text is "true" or "false" || IsJsonNumber(text))
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        using var quoted = JsonDocument.Parse("\"" + JsonEncodedText.Encode(text).ToString() + "\"");
        return quoted.RootElement.Clone();
    }

    // JSON's number grammar is stricter than double.Parse (no "+1", ".5", "1.", "0x", leading zeros).
    private static bool IsJsonNumber(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.Number && reader.BytesConsumed == Encoding.UTF8.GetByteCount(text);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
