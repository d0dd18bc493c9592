using System.Net;
using System.Text;
using System.Text.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Http;

/// <summary>
/// The API on a real Kestrel port, as a worker process reaches it: the body limit as Kestrel enforces it, with a
/// declared length and chunked (TestServer only imitates that), and a POST with no body at all.
/// </summary>
public sealed class LoopbackServerTests(LoopbackApiFactory<SqliteTarget> api)
    : IClassFixture<LoopbackApiFactory<SqliteTarget>>, IDisposable
{
    private const int OneMiB = 1024 * 1024;

    private readonly HttpClient _client = new() { BaseAddress = api.ServerAddress };

    public void Dispose() => _client.Dispose();

    [Fact]
    public void Server_ListensOn127001Only()
    {
        Assert.Equal(IPAddress.Loopback.ToString(), api.ServerAddress.Host);
        Assert.NotEqual(0, api.ServerAddress.Port);
    }

    [Fact]
    public async Task Record_OverTheSocket_Returns201()
    {
        var task = await _client.NewRecordAsync();
        Assert.Equal(task.Pid, (await _client.GetTaskAsync(task.Pid)).Pid);
    }

    [Theory]
    [InlineData("started")]
    [InlineData("finished")]
    [InlineData("kill")]
    public async Task OptionalBodyPost_WithNoBody_Returns200(string route)
    {
        var task = await _client.NewRecordAsync();
        await (await _client.CallAsync(task.Pid, route)).ShouldBeAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BodyOver1MiB_WithContentLengthAndExpectContinue_Returns413BeforeTheBodyIsSent()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        var request = new HttpRequestMessage(HttpMethod.Put, $"{Contract.TaskPath(task.Pid)}/config")
        {
            Content = Contract.JsonText(JsonSerializer.Serialize(new { blob = new string('x', OneMiB) })),
        };
        request.Headers.ExpectContinue = true; // as curl sends a large body

        await (await _client.SendAsync(request)).ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(1, (await _client.GetConfigAsync(task.Pid)).Version);
    }

    [Fact]
    public async Task BodyOver1MiB_WithContentLength_Returns413()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);

        await RefusedWith413Async(() => new HttpRequestMessage(HttpMethod.Put, $"{Contract.TaskPath(task.Pid)}/config")
        {
            Content = Contract.JsonText(JsonSerializer.Serialize(new { blob = new string('x', OneMiB) })),
        });

        Assert.Equal(1, (await _client.GetConfigAsync(task.Pid)).Version);
    }

    [Fact]
    public async Task BodyOver1MiB_Chunked_Returns413()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        var json = JsonSerializer.Serialize(new { lines = Enumerable.Repeat(new string('x', 8000), 140) });

        await RefusedWith413Async(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"{Contract.TaskPath(task.Pid)}/log") { Content = Chunked(json) };
            request.Headers.TransferEncodingChunked = true;
            return request;
        });

        Assert.Empty((await _client.ReadLogAsync(task.Pid)).Items);
    }

    /// <summary>
    /// Sends a body over the limit on fresh connections until an answer comes back, which must be a 413. The server
    /// answers before it has read the whole body and then closes the connection; a client still sending may see
    /// the connection reset instead of the answer (a race in TCP, not in the API), so a reset is tried again.
    /// </summary>
    private async Task RefusedWith413Async(Func<HttpRequestMessage> request)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var client = new HttpClient { BaseAddress = api.ServerAddress };
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request());
            }
            catch (HttpRequestException) when (attempt < 5)
            {
                continue;
            }
            await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
            return;
        }
    }

    [Fact]
    public async Task BodyUnder1MiB_Chunked_IsAccepted()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        var lines = Enumerable.Repeat(new string('x', 8000), 130).ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Contract.TaskPath(task.Pid)}/log")
        {
            Content = Chunked(JsonSerializer.Serialize(new { lines })),
        };

        await (await _client.SendAsync(request)).ShouldBeAsync(HttpStatusCode.Accepted);

        Assert.True(request.Headers.TransferEncodingChunked);
        Assert.Equal(130, (await _client.ReadLogAsync(task.Pid, "?limit=1000")).Items.Count);
    }

    private static StreamContent Chunked(string json)
    {
        var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        return content;
    }
}
