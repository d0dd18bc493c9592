using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bgtask.Worker.Client;

// The part of the contract a worker speaks, as source-generated JSON (no reflection, ready for Native AOT).
internal sealed record WireTask(long Pid, string Task, string Status);

internal sealed record WireConfig(long Pid, int Version, JsonElement Config);

internal sealed record WireSignal(long Id, long Pid, string Signal);

internal sealed record WireState(long OpTotal, long OpFinished, string Status, long Memory, long MemoryPeak);

internal sealed record WireMessage(string? Message);

internal sealed record WireLog(IReadOnlyList<string> Lines);

/// <param name="Exclusive">true (the task's name) or a key; null for none.</param>
internal sealed record WireRecord(string Description, string Task, JsonElement? Exclusive = null);

/// <summary>The part of a problem-details answer the worker reads (a 409 for a held key names the holder).</summary>
internal sealed record WireProblem(string? Detail, long? Pid);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WireTask))]
[JsonSerializable(typeof(WireConfig))]
[JsonSerializable(typeof(List<WireSignal>))]
[JsonSerializable(typeof(WireState))]
[JsonSerializable(typeof(WireMessage))]
[JsonSerializable(typeof(WireLog))]
[JsonSerializable(typeof(WireRecord))]
[JsonSerializable(typeof(WireProblem))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class WireJson : JsonSerializerContext;
