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
    public async Task BodyOver1MiB_WithContentLength_Returns413()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        var content = Contract.JsonText(JsonSerializer.Serialize(new { blob = new string('x', OneMiB) }));

        var response = await _client.PutAsync($"{Contract.TaskPath(task.Pid)}/config", content);

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(1, (await _client.GetConfigAsync(task.Pid)).Version);
    }

    [Fact]
    public async Task BodyOver1MiB_Chunked_Returns413()
    {
        var task = await _client.RecordInStatusAsync(Statuses.Running);
        var lines = Enumerable.Repeat(new string('x', 8000), 140).ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, $"{Contract.TaskPath(task.Pid)}/log")
        {
            Content = Chunked(JsonSerializer.Serialize(new { lines })),
        };

        var response = await _client.SendAsync(request);

        Assert.True(request.Headers.TransferEncodingChunked);
        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty((await _client.ReadLogAsync(task.Pid)).Items);
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
