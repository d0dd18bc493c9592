using Microsoft.AspNetCore.Http.HttpResults;

namespace Bgtask.Api.Problems;

/// <summary>The contract's expected failures, each with a detail a person can act on.</summary>
public static class Problem
{
    public static ProblemHttpResult TaskNotFound(long pid) =>
        TypedResults.Problem($"There is no task with pid {pid}.", statusCode: StatusCodes.Status404NotFound,
            title: "Task not found");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Not allowed in the task's state");

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static ProblemHttpResult PreconditionFailed(int current) =>
        TypedResults.Problem($"The config is at version {current}; If-Match did not match it.",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "Config version mismatch");

    /// <summary>A 400 with the contract's <c>errors</c> object for one field.</summary>
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            detail: message, title: "One or more validation errors occurred.");
}
