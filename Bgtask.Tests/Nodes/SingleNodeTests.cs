using System.Net;
using System.Net.Http.Json;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Bgtask.Tests.Workers;

namespace Bgtask.Tests.Nodes;

/// <summary>Without <c>Cluster:Secret</c>: <c>GET /api/nodes</c> lists this node alone, and no node-to-node route exists.</summary>
public sealed class SingleNodeTests(BgtaskApiFactory<SqliteTarget> api) : ApiTests<SqliteTarget>(api)
{
    [Fact]
    public async Task Nodes_OnASingleNode_ListThisNodeLive_WithItsRunningTasksAndSlots()
    {
        var task = await Client.LaunchAsync("demo.count", new { total = 1000, delayMs = 50 }, launcher: "inprocess");
        await Client.WaitForAsync(task.Pid, t => t.Status == Statuses.Running, "runs");
        try
        {
            var nodes = await Client.GetFromJsonAsync<List<NodeView>>("/api/nodes", Contract.Json);

            var node = Assert.Single(nodes!);
            Assert.Equal((await Client.GetTaskAsync(task.Pid)).Node, node.Name);
            Assert.True(node.Live);
            Assert.True(node.Running >= 1, $"running {node.Running}");
            Assert.Equal(64, node.Slots);
        }
        finally
        {
            await Client.CallAsync(task.Pid, "kill");
        }
    }

    [Fact]
    public async Task NodeToNodeRoutes_OnASingleNode_DoNotExist_AndNoNodeCredentialIsValid()
    {
        HttpRequestMessage Notes(string? authorization)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/internal/nodes/notes")
            {
                Content = Contract.JsonText("""{"from":"x","notes":[]}"""),
            };
            if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
            return request;
        }

        using (var admin = Notes(null))
            Assert.Equal(HttpStatusCode.NotFound, (await Client.SendAsync(admin)).StatusCode);
        using (var node = Notes("BgtaskNode whatever-secret-it-is"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await Client.SendAsync(node)).StatusCode);
    }
}
