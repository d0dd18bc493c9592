namespace Bgtask.Worker.Sdk;

/// <summary>Thrown by a check-point that applied <c>stop</c>; the runner ends the task as stopped.</summary>
public sealed class TaskStoppedException(CancellationToken token)
    : OperationCanceledException("The task was stopped by signal.", token);
