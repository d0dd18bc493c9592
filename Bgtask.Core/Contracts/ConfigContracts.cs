using System.Text.Json;

namespace Bgtask.Core.Contracts;

public sealed record ConfigResponse(long Pid, int Version, JsonElement Config);
