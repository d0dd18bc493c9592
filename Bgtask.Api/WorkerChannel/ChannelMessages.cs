using System.Text.Json;
using System.Text.Json.Serialization;
using Bgtask.Core.Contracts;

namespace Bgtask.Api.WorkerChannel;

// The worker channel's messages (docs/contract.md, "Worker channel"), one JSON text message each.

/// <summary>Up: <c>state</c> (a <c>PUT state</c> body under <see cref="State"/>) or <c>received</c> (a delivery's signals reached the task).</summary>
public sealed record ChannelUp(string? Type, long Seq = 0, long Delivery = 0, StateRequest? State = null);

/// <summary>Down: the outcome of report <see cref="Seq"/>, the status <c>PUT state</c> would have answered.</summary>
public sealed record ChannelAck(long Seq, int Status, ChannelProblem? Problem = null)
{
    [JsonPropertyOrder(-1)] public string Type => "ack";
}

public sealed record ChannelProblem(string Title, string Detail, IDictionary<string, string[]>? Errors = null);

/// <summary>Down: the task's signals, as the signals read answers them, with its config version.</summary>
public sealed record ChannelSignals(long Delivery, IReadOnlyList<SignalResponse> Signals, int ConfigVersion)
{
    [JsonPropertyOrder(-1)] public string Type => "signals";
}

/// <summary>Down: the task is terminal (its status) or gone (null); the channel closes after it.</summary>
public sealed record ChannelEnded([property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Status)
{
    [JsonPropertyOrder(-1)] public string Type => "ended";
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChannelUp))]
[JsonSerializable(typeof(ChannelAck))]
[JsonSerializable(typeof(ChannelSignals))]
[JsonSerializable(typeof(ChannelEnded))]
internal sealed partial class ChannelJson : JsonSerializerContext;
