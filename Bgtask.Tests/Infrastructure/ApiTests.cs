namespace Bgtask.Tests.Infrastructure;

/// <summary>
/// The base of every contract test class: the class's own API and database on <typeparamref name="TTarget"/>.
/// Tests of one class share that database, so each makes the tasks it needs and asserts on those only.
/// </summary>
public abstract class ApiTests<TTarget>(BgtaskApiFactory<TTarget> api) : IClassFixture<BgtaskApiFactory<TTarget>>
    where TTarget : IStorageTarget
{
    protected BgtaskApiFactory<TTarget> Factory { get; } = api;

    protected HttpClient Client { get; } = api.CreateClient();

    /// <summary>A name no other test uses, to filter the task list down to this test's records.</summary>
    protected static string UniqueName(string prefix = "test") => $"{prefix}.{Guid.NewGuid():N}";
}
