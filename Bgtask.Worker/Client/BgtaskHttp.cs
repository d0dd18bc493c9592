using System.Net.Http.Headers;

namespace Bgtask.Worker.Client;

/// <summary>The HttpClient a worker uses: the service's base address and its credential.</summary>
public static class BgtaskHttp
{
    /// <summary>The header every signals read answers with: the task's current config version.</summary>
    public const string ConfigVersionHeader = "Bgtask-Config-Version";

    /// <param name="token">The worker token minted at launch (sent as a Bearer token).</param>
    /// <param name="apiKey">An API key, for the standalone worker (sent as X-Api-Key).</param>
    public static HttpClient Create(Uri api, string? token, string? apiKey)
    {
        var http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        })
        {
            BaseAddress = api.AbsoluteUri.EndsWith('/') ? api : new Uri(api.AbsoluteUri + "/"),
            // Longer than the longest held signals request (60 s).
            Timeout = TimeSpan.FromSeconds(90),
        };
        if (!string.IsNullOrEmpty(token))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (!string.IsNullOrEmpty(apiKey))
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        // The launch's trace context (W3C), given by the service at process start: its spans become the parent.
        if (Environment.GetEnvironmentVariable("TRACEPARENT") is { Length: > 0 } traceparent)
            http.DefaultRequestHeaders.TryAddWithoutValidation("traceparent", traceparent);
        return http;
    }
}
