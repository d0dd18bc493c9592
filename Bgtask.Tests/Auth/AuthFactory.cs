using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bgtask.Tests.Auth;

/// <summary>
/// The auth tests' own host until they move to the shared factory: a SQLite file and a log folder of its own
/// (deleted on dispose), the given settings, and a remote address. TestServer leaves
/// <c>Connection.RemoteIpAddress</c> null, which the service treats as not loopback; a test picks the caller's
/// address with the <see cref="RemoteHeader"/> header, read by a startup filter in front of the whole pipeline.
/// </summary>
public sealed class AuthFactory(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public const string RemoteHeader = "X-Test-Remote-Ip";

    private readonly string _dir = Directory.CreateTempSubdirectory("bgtask-auth-").FullName;

    public string LogDirectory => Path.Combine(_dir, "logs");

    public static AuthFactory WithKeys(IReadOnlyDictionary<string, string?>? extra, params (string Name, string Key, string Role)[] keys)
    {
        var settings = new Dictionary<string, string?>(extra ?? new Dictionary<string, string?>());
        for (var i = 0; i < keys.Length; i++)
        {
            settings[$"Auth:ApiKeys:{i}:Name"] = keys[i].Name;
            settings[$"Auth:ApiKeys:{i}:Key"] = keys[i].Key;
            settings[$"Auth:ApiKeys:{i}:Role"] = keys[i].Role;
        }
        return new AuthFactory(settings);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Read while the builder is still being set up, so it must be a host setting.
        builder.UseSetting("ConnectionStrings:Bgtask", $"Data Source={Path.Combine(_dir, "bgtask.db")}");
        // The rest is read later (options, Serilog) and goes in as app configuration: host settings reach a
        // WebApplication as --key=value arguments, parent sections included with an empty value, and Serilog
        // takes an empty "Serilog:WriteTo:1" for a sink named "" and silently drops the sink.
        var app = new Dictionary<string, string?>
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            // appsettings.json's second sink is a rolling file under logs/: keep it out of the repository.
            ["Serilog:WriteTo:1:Args:path"] = Path.Combine(LogDirectory, "bgtask-.log"),
        };
        foreach (var (key, value) in settings) app[key] = value;
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(app));
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, RemoteAddressFilter>());
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing) return;
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder; never in the repository.
        }
    }

    private sealed class RemoteAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse((string?)context.Request.Headers[RemoteHeader], out var address))
                    context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
