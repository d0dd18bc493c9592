using Bgtask.Worker.Sdk;

namespace Bgtask.Tests.Units;

/// <summary>A task whose body is the test's code, for the runner's unit tests (with <see cref="ScriptedChannel"/>).</summary>
internal sealed class ScriptedTask(Func<TaskContext, Task> body) : IWorkerTask
{
    public string Name => "unit.scripted";
    public string Description => "Runs the test's code.";
    public Task RunAsync(TaskContext context) => body(context);

    /// <summary>The body run by the real runner over a <see cref="ScriptedChannel"/>, as pid 7.</summary>
    public static (Task<TaskEnding?> Run, ScriptedChannel Channel) Run(Func<TaskContext, Task> body, RunnerOptions options)
    {
        var channel = new ScriptedChannel("unit.scripted");
        var catalog = new TaskCatalog().Add(() => new ScriptedTask(body));
        return (TaskRunner.RunAsync(catalog, channel, pid: 7, options, CancellationToken.None), channel);
    }
}
