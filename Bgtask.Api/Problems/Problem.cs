using Bgtask.Core.Tasks;
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

    /// <summary>409 for a launch or record whose exclusive key a live task holds; <c>pid</c> names the holder.</summary>
    public static ProblemHttpResult ExclusiveHeld(ExclusiveHeld held) =>
        TypedResults.Problem($"Task {held.Holder} is live and holds the exclusive key '{held.Key}'.",
            statusCode: StatusCodes.Status409Conflict, title: "Exclusive key held",
            extensions: new Dictionary<string, object?> { ["pid"] = held.Holder });

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
