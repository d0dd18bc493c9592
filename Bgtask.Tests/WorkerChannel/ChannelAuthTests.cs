using Bgtask.Api.Auth;
using Bgtask.Core.Storage;
using Bgtask.Tests.Client;
using Bgtask.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.WorkerChannel;

/// <summary>Who may open a task's worker channel: its worker token (as on its other worker routes) or an Admin key.</summary>
public sealed class ChannelAuthTests(ChannelAuthTests.KeyedHost host) : IClassFixture<ChannelAuthTests.KeyedHost>
{
    private const string AdminKey = "channel-admin-key-3f9a1c";
    private const string ReaderKey = "channel-reader-key-8b2d7e";

    public sealed class KeyedHost : IDisposable
    {
        public BgtaskApiFactory<SqliteTarget> Factory { get; } = BgtaskApiFactory<SqliteTarget>.With(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Name"] = "ops", ["Auth:ApiKeys:0:Key"] = AdminKey, ["Auth:ApiKeys:0:Role"] = "Admin",
            ["Auth:ApiKeys:1:Name"] = "dashboard", ["Auth:ApiKeys:1:Key"] = ReaderKey, ["Auth:ApiKeys:1:Role"] = "Reader",
        });

        public void Dispose() => Factory.Dispose();
    }

    private BgtaskApiFactory<SqliteTarget> Factory => host.Factory;

    private async Task<(long Pid, string Token)> WorkerTaskAsync()
    {
        var admin = Factory.CreateClient();
        admin.DefaultRequestHeaders.Add(BgtaskAuth.ApiKeyHeader, AdminKey);
        var task = await admin.RecordInStatusAsync(Statuses.Running);
        var token = WorkerTokens.Mint();
        using var scope = Factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<BgtaskDbContext>().Tasks.Where(t => t.Id == task.Pid)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.TokenHash, WorkerTokens.Hash(token)));
        return (task.Pid, token);
    }

    private Task<ChannelSocket> OpenAsync(long pid, string? token = null, string? apiKey = null) =>
        ChannelSocket.OpenAsync(Factory.Server, pid, token, apiKey);

    [Fact]
    public async Task WorkerToken_OpensItsOwnTasksChannel()
    {
        var (pid, token) = await WorkerTaskAsync();
        await using var channel = await OpenAsync(pid, token);
        Assert.Equal(1, (await channel.NextOfTypeAsync("signals")).GetProperty("configVersion").GetInt32());
    }

    [Fact]
    public async Task BadToken_IsRefusedWith401()
    {
        var (pid, _) = await WorkerTaskAsync();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(pid, "not-a-token"));
        Assert.Contains("401", e.Message);
    }

    [Fact]
    public async Task AnotherTasksToken_IsRefusedWith403()
    {
        var (pid, _) = await WorkerTaskAsync();
        var (_, otherToken) = await WorkerTaskAsync();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(pid, otherToken));
        Assert.Contains("403", e.Message);
    }

    [Fact]
    public async Task ReaderKey_IsRefusedWith403_TheChannelConsumesSignals()
    {
        var (pid, _) = await WorkerTaskAsync();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => OpenAsync(pid, apiKey: ReaderKey));
        Assert.Contains("403", e.Message);
        await using var admin = await OpenAsync(pid, apiKey: AdminKey);
        await admin.NextOfTypeAsync("signals");
    }
}
