using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bgtask.Tests.Client;

/// <summary>
/// Reads the contract's times and refuses anything but ISO-8601 UTC with a <c>Z</c>
/// (<c>2026-11-27T19:34:42.123Z</c>), so every response the tests read is checked for it.
/// </summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is null || !text.EndsWith('Z') || !text.Contains('T'))
            throw new JsonException($"'{text}' is not an ISO-8601 UTC time.");
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
}
