using Microsoft.Extensions.Primitives;

namespace Bgtask.Api.Problems;

/// <summary>
/// The contract says every error is problem+json. The framework's writer declines when the client's Accept header
/// names no JSON type (<c>Accept: text/html</c>), and the error then goes out as plain text or with no body at all;
/// this asks it with the Accept header set aside, so the answer is the same for every client.
/// </summary>
public sealed class AnyAcceptProblemDetailsService(IProblemDetailsService inner) : IProblemDetailsService
{
    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        if (!await TryWriteAsync(context))
            throw new InvalidOperationException("No problem details writer could write the response.");
    }

    public async ValueTask<bool> TryWriteAsync(ProblemDetailsContext context)
    {
        var headers = context.HttpContext.Request.Headers;
        var accept = headers.Accept;
        headers.Accept = StringValues.Empty;
        try
        {
            return await inner.TryWriteAsync(context);
        }
        finally
        {
            headers.Accept = accept;
        }
    }

    /// <summary>Wraps the registered <see cref="IProblemDetailsService"/> (call after AddProblemDetails).</summary>
    public static void Decorate(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IProblemDetailsService));
        services.Remove(registered);
        services.AddSingleton<IProblemDetailsService>(sp => new AnyAcceptProblemDetailsService(
            (IProblemDetailsService)ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!)));
    }
}
