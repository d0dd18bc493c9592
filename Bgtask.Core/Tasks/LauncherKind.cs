using System.Text.Json.Serialization;

namespace Bgtask.Core.Tasks;

/// <summary>What runs a task: a worker OS process, the service itself, or someone outside.</summary>
public enum LauncherKind
{
    [JsonStringEnumMemberName("process")] Process = 0,
    [JsonStringEnumMemberName("inprocess")] InProcess = 1,
    [JsonStringEnumMemberName("external")] External = 2,
}
