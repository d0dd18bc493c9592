using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Bgtask.Api.Problems;

/// <summary>
/// Turns the exceptions a client or an outage can cause into problem details: the framework's bad-request
/// exceptions (malformed JSON, wrong content type, unparsable parameters) keep their 4xx, a JSON body in a charset
/// nobody knows is 415, and an unreachable database is 503. Anything else is a bug and stays a 500.
/// </summary>
public sealed class BgtaskExceptionHandler(IProblemDetailsService problems, ILogger<BgtaskExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = Classify(exception);
        if (status is null) return false;
        if (status == StatusCodes.Status503ServiceUnavailable)
            logger.LogWarning(exception, "Database unavailable for {Method} {Path}", context.Request.Method, context.Request.Path);

        context.Response.StatusCode = status.Value;
        if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "1";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static (int? Status, string? Title, string? Detail) Classify(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } bad =>
            (bad.StatusCode, "Malformed JSON", $"{bad.Message} {json.Message}"),
        BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
        // The JSON reader's answer to "Content-Type: application/json; charset=<unknown>": not a bug, a body it cannot read.
        InvalidOperationException { InnerException: ArgumentException } unknownCharset
            when unknownCharset.Message.Contains("charset", StringComparison.Ordinal) =>
            (StatusCodes.Status415UnsupportedMediaType, "Unsupported charset", unknownCharset.Message),
        _ when IsDatabaseOutage(exception) =>
            (StatusCodes.Status503ServiceUnavailable, "Database unavailable",
                "The database cannot be reached right now; try again shortly."),
        _ => (null, null, null),
    };

    /// <summary>An exception that means the database is away (503), not a bug; also the worker channel's test.</summary>
    public static bool IsDatabaseOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or RetryLimitExceededException or TimeoutException) return true;
            if (e is InvalidOperationException && e.Message.Contains("transient failure", StringComparison.Ordinal)) return true;
            if (e is DbUpdateException && e.InnerException is DbException) return true;
        }
        return false;
    }
}
