using System.Text.Json;
using System.Text.Json.Serialization;
using Bgtask.Client;

namespace Bgtask.Cli;

// The client's records as source-generated JSON, for the CLI's own use of them (no reflection: Native AOT).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BgtaskLaunch))]
[JsonSerializable(typeof(BgtaskTask))]
[JsonSerializable(typeof(BgtaskConfig))]
internal sealed partial class CliJson : JsonSerializerContext;
