using System.Net;
using System.Net.Sockets;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;

namespace Bgtask.Tests.Http;

/// <summary>The API pointed at a MySQL port where nothing listens: 503, never 500, and not ready.</summary>
public sealed class DatabaseOutageTests(DatabaseOutageTests.UnreachableDatabaseFactory api)
    : IClassFixture<DatabaseOutageTests.UnreachableDatabaseFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Theory]
    [InlineData("GET", "/api/tasks", null)]
    [InlineData("GET", "/api/tasks/1", null)]
    [InlineData("POST", "/api/tasks/records", """{"description":"x"}""")]
    [InlineData("POST", "/api/tasks/1/finished", null)]
    [InlineData("GET", "/api/tasks/1/signals?wait=5", null)]
    public async Task AnyCall_DatabaseUnreachable_Returns503(string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = body is null ? null : Contract.JsonText(body),
        };

        var response = await _client.SendAsync(request);

        await response.ReadProblemAsync(HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task HealthReady_DatabaseUnreachable_Returns503() =>
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _client.GetAsync("/health/ready")).StatusCode);

    [Fact]
    public async Task HealthLive_DatabaseUnreachable_Returns200() =>
        await (await _client.GetAsync("/health/live")).ShouldBeAsync(HttpStatusCode.OK);

    [Fact]
    public async Task BadInput_DatabaseUnreachable_StillReturns400()
    {
        var response = await _client.GetAsync("/api/tasks?limit=0");
        await response.ReadValidationProblemAsync("limit");
    }

    /// <summary>MySQL storage on a loopback port that was free a moment ago, with no migration at start.</summary>
    public sealed class UnreachableDatabaseFactory : BgtaskApiFactory<MariaDbTarget>
    {
        protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
        [
            new("ConnectionStrings:Bgtask",
                $"Server=127.0.0.1;Port={ClosedPort()};Database=bgtask_none;User ID=bgtask;Password=x;Connection Timeout=2"),
            new("Storage:MigrateOnStart", "false"),
        ];

        private static int ClosedPort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
