using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Limits;

/// <summary>
/// Answers 413 as problem details for a body over the limit. A declared length is checked at once; a
/// chunked body is read (up to the limit) before the endpoint sees it, so the answer never depends on
/// where the framework happens to stop reading.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<ApiLimits> options)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        var request = context.Request;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit + 1;

        var tooLarge = request.ContentLength > limit;
        if (!tooLarge && request.ContentLength is null && request.Headers.TransferEncoding.Count > 0)
        {
            request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: limit + 1);
            tooLarge = await ExceedsAsync(request.Body, limit, context.RequestAborted);
            request.Body.Position = 0;
        }

        if (tooLarge)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Request body too large",
                    Detail = $"The request body is over the limit of {limit} bytes.",
                },
            });
            return;
        }
        await next(context);
    }

    private static async Task<bool> ExceedsAsync(Stream body, long limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        long total = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
                if ((total += read) > limit) return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return true; // the buffer limit itself was hit
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return false;
    }
}
