using Bgtask.Api.Runners;
using Bgtask.Core.Contracts;
using Bgtask.Core.Tasks;

namespace Bgtask.Api.Reports;

/// <summary>Turns a row into the contract's task resource, with the computed fields as of now.</summary>
public sealed class TaskPresenter(TimeProvider time, RunnerRegistry runners)
{
    public TaskResponse ToResponse(BackgroundTask task) =>
        TaskResponse.From(task, time.GetUtcNow().UtcDateTime, runners.IsAlive(task));
}
