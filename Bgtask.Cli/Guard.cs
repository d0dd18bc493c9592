using System.CommandLine;
using System.Net.Sockets;
using Bgtask.Client;

namespace Bgtask.Cli;

/// <summary>What a command's run gets: its parsed line, the client, the URL, and whether stdout is a terminal.</summary>
public sealed record CommandRun(ParseResult Parse, BgtaskClient Client, Uri Url, Terminal Terminal);

/// <summary>
/// The one place where failures become exit codes: a problem from the service (3, its title and detail on one
/// line of stderr), a service out of reach (4, with its URL), Ctrl-C (130). Never a stack trace.
/// </summary>
public static class Guard
{
    public static void SetRun(this Command command, Func<CommandRun, CancellationToken, Task<int>> run) =>
        command.SetAction(async (parse, ct) =>
        {
            var (client, url) = Connection.Open(parse);
            try
            {
                return await run(new CommandRun(parse, client, url, Terminal.Detect()), ct);
            }
            catch (BgtaskException e)
            {
                var title = OneLine(e.Title);
                Console.Error.WriteLine(e.Detail is { Length: > 0 } detail
                    ? $"bgtask: {e.Status} {title.TrimEnd('.')}: {OneLine(detail)}"
                    : $"bgtask: {e.Status} {title}");
                return ExitCodes.Problem;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                Console.Error.WriteLine("bgtask: interrupted; the task goes on.");
                return ExitCodes.Interrupted;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or SocketException or TaskCanceledException)
            {
                // TaskCanceledException without Ctrl-C: HttpClient's timeout.
                Console.Error.WriteLine($"bgtask: cannot reach the service at {url}: {OneLine(Innermost(e).Message)}");
                return ExitCodes.Unreachable;
            }
            catch (System.Text.Json.JsonException e)
            {
                // Something answered, but not with the contract's JSON (another server at that URL, a proxy's page).
                Console.Error.WriteLine($"bgtask: the service at {url} answered with something other than Bgtask's JSON: {OneLine(e.Message)}");
                return ExitCodes.Problem;
            }
            catch (Exception e)
            {
                // A bug of bgtask's own: one line, not a stack trace in an operator's terminal.
                Console.Error.WriteLine($"bgtask: internal error: {e.GetType().Name}: {OneLine(e.Message)}");
                return ExitCodes.Internal;
            }
        });

    private static string OneLine(string? text) =>
        string.Join(' ', (text ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;
}
