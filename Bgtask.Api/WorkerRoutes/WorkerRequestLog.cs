using System.Diagnostics;
using Bgtask.Api.Logging;
using Serilog.Events;

namespace Bgtask.Api.WorkerRoutes;

/// <summary>
/// The request log of the worker routes: the same line at the same level as the full pipeline's (under the same
/// source context, so the same settings filter it), but nothing collected for a line that is not written, and the
/// routine calls of running tasks are written only when Debug is on.
/// </summary>
public sealed class WorkerRequestLog(RequestDelegate next, ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("Serilog.AspNetCore.RequestLoggingMiddleware");

    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            error = e;
            throw;
        }
        finally
        {
            // An exception that got past the handler is a 500 on the wire, as the full log records it.
            var level = Level(LoggingSetup.RequestLevel(context, error));
            if (_log.IsEnabled(level))
            {
                var status = error is null ? context.Response.StatusCode : StatusCodes.Status500InternalServerError;
#pragma warning disable CA2254 // the one template of the request log, shared with the full pipeline's
                _log.Log(level, error, LoggingSetup.RequestTemplate, context.Request.Method, context.Request.Path.Value,
                    status, Stopwatch.GetElapsedTime(start).TotalMilliseconds, LoggingSetup.Client(context));
#pragma warning restore CA2254
            }
        }
    }

    private static LogLevel Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => LogLevel.Trace,
        LogEventLevel.Debug => LogLevel.Debug,
        LogEventLevel.Information => LogLevel.Information,
        LogEventLevel.Warning => LogLevel.Warning,
        LogEventLevel.Error => LogLevel.Error,
        _ => LogLevel.Critical,
    };
}
