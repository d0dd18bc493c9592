namespace Bgtask.Worker.Sdk;

/// <summary>
/// A task a worker can run: a name (what clients launch), a description, and the work itself.
/// Implementations need a public parameterless constructor; a new instance runs each launch.
/// </summary>
public interface IWorkerTask
{
    string Name { get; }
    string Description { get; }
    Task RunAsync(TaskContext context);
}
