using System.CommandLine;
using Bgtask.Client;

namespace Bgtask.Cli;

/// <summary>
/// <c>--url</c> and <c>--api-key</c>, on every command, with their environment defaults; and the client they make.
/// </summary>
public static class Connection
{
    public const string DefaultUrl = "http://localhost:5000";

    public static readonly Option<Uri> Url = new("--url")
    {
        Description = "The service's URL [env: BGTASK_URL]",
        HelpName = "URL",
        Recursive = true,
        DefaultValueFactory = result =>
            Parse(result, Environment.GetEnvironmentVariable("BGTASK_URL") is { Length: > 0 } url ? url : DefaultUrl, "BGTASK_URL") ?? new Uri(DefaultUrl),
        CustomParser = result => Parse(result, result.Tokens[^1].Value, "--url"),
    };

    private static Uri? Parse(System.CommandLine.Parsing.ArgumentResult result, string text, string source)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        result.AddError($"{source}: '{text}' is not an http:// or https:// URL.");
        return null;
    }

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        Description = "An API key, sent as X-Api-Key [env: BGTASK_API_KEY]",
        HelpName = "KEY",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BGTASK_API_KEY"),
    };

    /// <summary>The client for this command line's URL and key.</summary>
    public static (BgtaskClient Client, Uri Url) Open(ParseResult parse)
    {
        var url = parse.GetValue(Url)!;
        var baseAddress = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = baseAddress,
            // Event streams outlive any timeout: HttpClient's covers only the wait for response headers there.
            Timeout = TimeSpan.FromSeconds(100),
        };
        return (new BgtaskClient(http, parse.GetValue(ApiKey)), url);
    }
}
