using Bgtask.Worker.Sdk;

namespace Bgtask.Tests.Units;

/// <summary>A task whose body is the test's code, for the runner's unit tests (with <see cref="ScriptedChannel"/>).</summary>
internal sealed class ScriptedTask(Func<TaskContext, Task> body) : IWorkerTask
{
    public string Name => "unit.scripted";
    public string Description => "Runs the test's code.";
    public Task RunAsync(TaskContext context) => body(context);
}
