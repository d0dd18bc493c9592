using System.Text.Json;

namespace Bgtask.Core.Contracts;

/// <summary><c>POST /api/tasks</c>: launch a registered task.</summary>
/// <param name="Exclusive">true (the task's name) or a key that one live task at a time may hold.</param>
public sealed record LaunchTaskRequest(
    string? Task,
    string? Launcher = null,
    string? Description = null,
    long? Parent = null,
    JsonElement? Config = null,
    int? TimeoutSeconds = null,
    int? HeartbeatTimeoutSeconds = null,
    JsonElement? Exclusive = null);

/// <summary><c>POST /api/tasks/records</c>: a task that somebody outside runs and reports on.</summary>
/// <param name="Exclusive">true (the task's name) or a key that one live task at a time may hold.</param>
public sealed record CreateRecordRequest(string? Description, string? Task = null, long? Parent = null,
    JsonElement? Exclusive = null);

/// <summary><c>PUT /api/tasks/{pid}/state</c>: a progress report.</summary>
public sealed record StateRequest(
    long? OpTotal,
    long? OpFinished,
    string? Status = null,
    long? Memory = null,
    long? MemoryPeak = null);

/// <summary>The optional body of <c>stopped</c> and <c>error</c>.</summary>
public sealed record MessageRequest(string? Message);

public sealed record TaskPage(IReadOnlyList<TaskResponse> Items, long? Next);

public sealed record LiveResponse(long Pid, bool Live);

public sealed record KillResponse(long Pid, bool Killed);

public sealed record TaskTypeResponse(string Name, string Description);
