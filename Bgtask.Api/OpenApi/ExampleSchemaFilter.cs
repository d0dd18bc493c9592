using System.Text.Json;
using Bgtask.Core.Contracts;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bgtask.Api.OpenApi;

/// <summary>An example for every body on the wire, serialized exactly as the API writes it.</summary>
public sealed class ExampleSchemaFilter(IOptions<JsonOptions> json) : ISchemaFilter
{
    private static readonly DateTime At = new(2026, 11, 27, 19, 34, 42, 123, DateTimeKind.Utc);
    private static readonly JsonElement DemoConfig = JsonSerializer.Deserialize<JsonElement>("""{"total":100,"delayMs":250}""");

    private static readonly TaskResponse DemoTask = new(42, "demo.count", "Count to 100", LauncherKind.Process, null,
        BackgroundTaskStatus.Running, 100, 25, 0.25, 31457280, 41943040, null, At, At.AddSeconds(1), null,
        At.AddSeconds(13), 12.5, 2.0, 37.5, true, "a", false, null);

    private static readonly Dictionary<Type, object> Examples = new()
    {
        [typeof(LaunchTaskRequest)] = new LaunchTaskRequest("demo.count", "process", "Count to 100", null, DemoConfig, 300),
        [typeof(CreateRecordRequest)] = new CreateRecordRequest("Nightly import from cron", "import.nightly"),
        [typeof(StateRequest)] = new StateRequest(100, 25, "running", 31457280, 41943040),
        [typeof(MessageRequest)] = new MessageRequest("disk full"),
        [typeof(SignalRequest)] = new SignalRequest("sleep"),
        [typeof(LogAppendRequest)] = new LogAppendRequest(["start", "imported 25 of 100 rows"]),
        [typeof(TaskResponse)] = DemoTask,
        [typeof(TaskPage)] = new TaskPage([DemoTask], null),
        [typeof(LiveResponse)] = new LiveResponse(42, true),
        [typeof(KillResponse)] = new KillResponse(42, true),
        [typeof(SignalResponse)] = new SignalResponse(7, 42, "sleep", At),
        [typeof(RemovedResponse)] = new RemovedResponse(2),
        [typeof(ConfigResponse)] = new ConfigResponse(42, 2, DemoConfig),
        [typeof(LogLineResponse)] = new LogLineResponse(1, At, "start"),
        [typeof(LogPage)] = new LogPage([new LogLineResponse(1, At, "start")], null),
        [typeof(TaskTypeResponse)] = new TaskTypeResponse("demo.count", "Counts to `total`, one step per `delayMs`."),
        [typeof(JsonElement)] = DemoConfig,
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var example))
            concrete.Example = JsonSerializer.SerializeToNode(example, context.Type, json.Value.SerializerOptions);
    }
}
