namespace Bgtask.Api.History;

/// <summary>What the Swagger document says about a task's history: rules and errors, from the contract.</summary>
public static class HistoryDocs
{
    public const string Read = """
        The task's history, oldest first: `points`, each with its time (`at`), `opFinished`, `opTotal`, `memory`
        and `status`. There is a point at every status change (from the task's creation, pending, to its ending)
        and, while the task reports, at most about one a second; for long runs the spacing grows and older points
        are thinned, so a task never holds more than 1,000 points and the series still covers its whole life.
        The history is deleted with the task.

        Errors: 404 for an unknown pid.
        """;
}
