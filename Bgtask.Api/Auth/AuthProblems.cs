namespace Bgtask.Api.Auth;

/// <summary>401 and 403 as the contract's problem details, each with a detail saying what to do.</summary>
public static class AuthProblems
{
    public static async Task WriteAsync(HttpContext context, IProblemDetailsService problems, int status, string title,
        string detail)
    {
        context.Response.StatusCode = status;
        // A client that accepts no JSON gets the status alone.
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
