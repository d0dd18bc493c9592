using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bgtask.Worker.Client;

// The worker channel's messages (docs/contract.md, "Worker channel"), as source-generated JSON.
internal sealed record WireChannelState(long Seq, WireState State)
{
    [JsonPropertyOrder(-1)] public string Type => "state";
}

internal sealed record WireChannelReceived(long Delivery)
{
    [JsonPropertyOrder(-1)] public string Type => "received";
}

/// <summary>Any message down: <c>ack</c> (a number in <see cref="Status"/>), <c>signals</c>, or <c>ended</c> (a status name or null).</summary>
internal sealed record WireChannelDown(string? Type, long Seq, JsonElement Status, long Delivery,
    List<WireSignal>? Signals, int ConfigVersion);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WireChannelState))]
[JsonSerializable(typeof(WireChannelReceived))]
[JsonSerializable(typeof(WireChannelDown))]
internal sealed partial class ChannelWireJson : JsonSerializerContext;
