using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Settings.Configuration;

namespace Bgtask.Api.Logging;

public static class LoggingSetup
{
    /// <summary>
    /// Serilog from the "Serilog" section (console and a rolling file by default). No static bootstrap
    /// logger: it would break several hosts in one process (the tests).
    /// </summary>
    // The sinks and formatters the service ships, named: without them Serilog finds sinks by reading deps.json and
    // loading every Serilog* assembly (DependencyModel, System.Reflection.Metadata, a few hundred methods compiled
    // at start, kept resident). A sink of another package is still found through the section's "Using".
    private static readonly ConfigurationReaderOptions Readers = new(
        typeof(ConsoleLoggerConfigurationExtensions).Assembly,
        typeof(FileLoggerConfigurationExtensions).Assembly,
        typeof(LoggerSinkConfigurationDebugExtensions).Assembly,
        typeof(CompactJsonFormatter).Assembly);

    public static IHostApplicationBuilder AddBgtaskLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, lc) => lc
            .ReadFrom.Configuration(builder.Configuration, Readers)
            .ReadFrom.Services(services)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Database.Command", LogEventLevel.Warning)
            .Enrich.FromLogContext());
        return builder;
    }

    public static IApplicationBuilder UseBgtaskRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(o =>
        {
            o.MessageTemplate = RequestTemplate;
            o.EnrichDiagnosticContext = (diagnostics, http) => diagnostics.Set("Client", Client(http));
            o.GetLevel = (http, _, error) => RequestLevel(http, error);
        });

    /// <summary>The request log's line (here and in the worker routes' own, <c>WorkerRequestLog</c>).</summary>
    public const string RequestTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms ({Client})";

    /// <summary>Who called, by name only ("key:ops", "worker:42", "loopback"): never a key, a token or any header.</summary>
    public static string Client(HttpContext http) => http.User.Identity?.Name ?? "anonymous";

    /// <summary>
    /// Health probes, and the routine calls of running tasks (a progress report every few hundred ms, a held
    /// signals read), would drown the log at Information: they go at Verbose and Debug. What those calls
    /// change is logged by the transitions themselves; a refused one (4xx) stays at Information.
    /// </summary>
    public static LogEventLevel RequestLevel(HttpContext http, Exception? error) =>
        error is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
        : http.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Verbose
        : http.Response.StatusCode < 300 && IsRoutineTaskCall(http.Request) ? LogEventLevel.Debug
        : LogEventLevel.Information;

    private static bool IsRoutineTaskCall(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        return (HttpMethods.IsPut(request.Method) && path.EndsWith("/state", StringComparison.Ordinal)) ||
               (HttpMethods.IsGet(request.Method) && path.EndsWith("/signals", StringComparison.Ordinal));
    }
}
