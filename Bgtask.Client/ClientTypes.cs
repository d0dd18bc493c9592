using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bgtask.Client;

/// <summary>A task, as the service reports it (the contract's task resource).</summary>
/// <param name="Pid">The task's id, assigned by storage and never reused.</param>
/// <param name="Task">The registered task name, such as <c>demo.count</c>.</param>
/// <param name="Description">Free text given at launch.</param>
/// <param name="Launcher"><c>process</c>, <c>inprocess</c> or <c>external</c>.</param>
/// <param name="Parent">The pid of the task that started this one.</param>
/// <param name="Status"><c>pending</c>, <c>running</c>, <c>sleeping</c>, <c>stopped</c>, <c>finished</c> or <c>error</c>.</param>
/// <param name="OpTotal">Operations to do, as last reported.</param>
/// <param name="OpFinished">Operations done, as last reported.</param>
/// <param name="Progress"><c>OpFinished / OpTotal</c>; 0 when the total is 0.</param>
/// <param name="Memory">Bytes used by the task's process, as last reported.</param>
/// <param name="MemoryPeak">The most bytes it has used.</param>
/// <param name="Message">The error text or the stop reason.</param>
/// <param name="CreatedAt">When the task was stored.</param>
/// <param name="StartedAt">When it started running.</param>
/// <param name="FinishedAt">When it ended.</param>
/// <param name="HeartbeatAt">The last time it reported anything.</param>
/// <param name="RuntimeSeconds">From the start to the end (or now).</param>
/// <param name="Rate">Operations per second over the recent reports.</param>
/// <param name="EtaSeconds">Time left at that rate.</param>
/// <param name="Live">Pending, running or sleeping, with its runner alive.</param>
/// <param name="Node">The service node whose host runs the task's runner; null for records, tasks not started, or a service without it.</param>
/// <param name="Frozen">True while the task's processes are frozen (its status is then <c>sleeping</c>).</param>
/// <param name="Exclusive">The task's exclusive key, or null.</param>
public sealed record BgtaskTask(
    long Pid, string Task, string? Description, string Launcher, long? Parent, string Status,
    long OpTotal, long OpFinished, double Progress, long Memory, long MemoryPeak, string? Message,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, DateTimeOffset? HeartbeatAt,
    double? RuntimeSeconds, double? Rate, double? EtaSeconds, bool Live,
    string? Node = null, bool Frozen = false, string? Exclusive = null)
{
    /// <summary>Stopped, finished or error: nothing moves the task any more.</summary>
    [JsonIgnore]
    public bool IsTerminal => Status is "stopped" or "finished" or "error";
}

/// <summary>One page of the task list, newest first.</summary>
/// <param name="Items">The tasks of this page.</param>
/// <param name="Next">The value to pass as <c>after</c> for the next page; null when this is the last one.</param>
public sealed record BgtaskTaskPage(IReadOnlyList<BgtaskTask> Items, long? Next);

/// <summary>What to launch.</summary>
/// <param name="Task">A registered task name (see <see cref="BgtaskClient.GetTaskTypesAsync"/>).</param>
/// <param name="Launcher"><c>process</c> or <c>inprocess</c>; null for the service's default.</param>
/// <param name="Description">Free text, up to 1,000 characters.</param>
/// <param name="Parent">The pid of the task launching this one.</param>
/// <param name="Config">The task's config: a JSON object.</param>
/// <param name="TimeoutSeconds">A time limit: the task is sent <c>stop</c>, then killed.</param>
/// <param name="HeartbeatTimeoutSeconds">This launch's heartbeat timeout (10 s or more); null for the service's.</param>
public sealed record BgtaskLaunch(
    string Task, string? Launcher = null, string? Description = null, long? Parent = null,
    JsonElement? Config = null, int? TimeoutSeconds = null, int? HeartbeatTimeoutSeconds = null);

/// <summary>A signal waiting for its task.</summary>
/// <param name="Id">The signal's id (to clear it).</param>
/// <param name="Pid">The task's pid.</param>
/// <param name="Signal"><c>sleep</c>, <c>continue</c>, <c>stop</c> or a custom name.</param>
/// <param name="CreatedAt">When it was sent.</param>
public sealed record BgtaskSignal(long Id, long Pid, string Signal, DateTimeOffset CreatedAt);

/// <summary>A read of a task's signals.</summary>
/// <param name="Items">The signals, oldest first.</param>
/// <param name="ConfigVersion">The task's config version at that moment.</param>
public sealed record BgtaskSignals(IReadOnlyList<BgtaskSignal> Items, int ConfigVersion);

/// <summary>A task's config and its version.</summary>
/// <param name="Pid">The task's pid.</param>
/// <param name="Version">Starts at 1 and grows with each replacement; pass it back to replace only this version.</param>
/// <param name="Config">The JSON object.</param>
public sealed record BgtaskConfig(long Pid, int Version, JsonElement Config);

/// <summary>One line of a task's log.</summary>
/// <param name="Seq">Its number, from 1 per task.</param>
/// <param name="At">When it was stored.</param>
/// <param name="Line">The text.</param>
public sealed record BgtaskLogLine(long Seq, DateTimeOffset At, string Line);

/// <summary>One page of a task's log, oldest first.</summary>
/// <param name="Items">The lines.</param>
/// <param name="Next">The value to pass as <c>after</c> for the next page; null when there is none.</param>
public sealed record BgtaskLogPage(IReadOnlyList<BgtaskLogLine> Items, long? Next);

/// <summary>A task that can be launched.</summary>
/// <param name="Name">The name to launch it by.</param>
/// <param name="Description">What it does.</param>
public sealed record BgtaskTaskType(string Name, string Description);

/// <summary>A node of the service (one per replica in a cluster).</summary>
/// <param name="Name">Its <c>Cluster:NodeName</c>.</param>
/// <param name="Url">Where the other nodes reach it.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="HeartbeatAt">When it last reported itself alive.</param>
/// <param name="Live">Whether it is alive.</param>
/// <param name="Running">Runners it runs now.</param>
/// <param name="Slots">Runners it may run at once.</param>
public sealed record BgtaskNode(
    string Name, string? Url, DateTimeOffset? StartedAt, DateTimeOffset? HeartbeatAt, bool Live, int Running, int? Slots);

/// <summary>
/// One live event. <see cref="Type"/> is <c>task</c> (see <see cref="AsTask"/>), <c>log</c> (<see cref="AsLog"/>),
/// <c>snapshot</c> (<see cref="AsSnapshot"/>), <c>config</c> or <c>removed</c> (<c>{ pid, ... }</c>).
/// </summary>
/// <param name="Id">Pass the last one received back to <see cref="BgtaskClient.EventsAsync"/> to resume without gaps.</param>
/// <param name="Type">The event type.</param>
/// <param name="Data">The event's JSON.</param>
public sealed record BgtaskEvent(string? Id, string Type, JsonElement Data)
{
    /// <summary>The task after the change, for a <c>task</c> event.</summary>
    public BgtaskTask AsTask() => Data.Deserialize(ClientJson.Default.BgtaskTask)!;

    /// <summary>The new log lines, for a <c>log</c> event.</summary>
    public BgtaskLogPage AsLog() => Data.Deserialize(ClientJson.Default.BgtaskLogPage)!;

    /// <summary>The current task(s), for a <c>snapshot</c> event.</summary>
    public IReadOnlyList<BgtaskTask> AsSnapshot() => Data.Deserialize(ClientJson.Default.BgtaskTaskPage)!.Items;

    /// <summary>The pid the event is about (every event but <c>snapshot</c> carries one).</summary>
    public long? Pid => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("pid", out var pid) ? pid.GetInt64() : null;
}

/// <summary>An API call that did not succeed: the status and the problem details the service answered with.</summary>
public sealed class BgtaskException(int status, string? title, string? detail)
    : Exception($"Bgtask answered {status}: {detail ?? title ?? "no detail"}")
{
    /// <summary>The HTTP status, such as 404 (unknown pid), 409 (the task's state forbids it) or 412 (a version mismatch).</summary>
    public int Status => status;

    /// <summary>The problem's title.</summary>
    public string? Title => title;

    /// <summary>The problem's detail.</summary>
    public string? Detail => detail;
}

internal sealed record ProblemBody(string? Title, string? Detail);

internal sealed record LiveBody(long Pid, bool Live);

internal sealed record KillBody(long Pid, bool Killed);

internal sealed record RemovedBody(int Removed);

internal sealed record SignalBody(string Signal);

internal sealed record LogBody(IReadOnlyList<string> Lines);

internal sealed record RecordBody(string Description, string? Task, long? Parent);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BgtaskTask))]
[JsonSerializable(typeof(BgtaskTaskPage))]
[JsonSerializable(typeof(BgtaskLaunch))]
[JsonSerializable(typeof(BgtaskSignal))]
[JsonSerializable(typeof(List<BgtaskSignal>))]
[JsonSerializable(typeof(BgtaskConfig))]
[JsonSerializable(typeof(BgtaskLogPage))]
[JsonSerializable(typeof(List<BgtaskTaskType>))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(LiveBody))]
[JsonSerializable(typeof(KillBody))]
[JsonSerializable(typeof(RemovedBody))]
[JsonSerializable(typeof(SignalBody))]
[JsonSerializable(typeof(RecordBody))]
[JsonSerializable(typeof(LogBody))]
[JsonSerializable(typeof(List<BgtaskNode>))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ClientJson : JsonSerializerContext;
