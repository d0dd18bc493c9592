using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Bgtask.Api.Cluster;
using Bgtask.Core.Statements;
using Bgtask.Core.Storage;
using Bgtask.Core.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Auth;

/// <summary>
/// The one scheme: a worker token (<c>Authorization: Bearer</c>) wins over everything else, then another node
/// (<c>Authorization: BgtaskNode &lt;Cluster:Secret&gt;</c>, cluster mode only), then an API key (<c>X-Api-Key</c>);
/// with no keys configured, a loopback client is Admin. Who may do what is decided afterwards by
/// <see cref="AccessHandler"/> (a node only the node-to-node routes, which nobody else may call).
/// </summary>
public sealed class BgtaskAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyRing keys, WorkerTokenCache tokens, IProblemDetailsService problems, IOptions<ClusterOptions> cluster)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";
    // Minted tokens are 43 characters; anything much longer is not one and is not worth hashing.
    private const int MaxTokenLength = 256;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // A request that carries a token is held to the token's scope, whatever else it carries or wherever it comes from.
        if (BearerToken() is { } token) return await AuthenticateWorkerAsync(token);
        if (NodeSecret() is { } secret) return AuthenticateNode(secret);

        if (keys.IsEmpty)
            return IsLoopback(Context.Connection.RemoteIpAddress)
                ? Success("loopback", BgtaskAuth.AdminRole)
                : AuthenticateResult.NoResult();

        string? presented = Request.Headers[BgtaskAuth.ApiKeyHeader];
        if (string.IsNullOrEmpty(presented)) return AuthenticateResult.NoResult();
        return keys.Find(presented) is { } key
            ? Success($"key:{key.Name}", key.Role, new Claim(BgtaskAuth.KeyNameClaim, key.Name))
            : AuthenticateResult.Fail($"The API key in {BgtaskAuth.ApiKeyHeader} is not valid.");
    }

    /// <summary>The token of an Authorization header with the Bearer scheme; null when there is none (other schemes are not ours).</summary>
    private string? BearerToken()
    {
        string? header = Request.Headers.Authorization;
        if (header is null) return null;
        if (header.Equals(BearerPrefix.TrimEnd(), StringComparison.OrdinalIgnoreCase)) return "";
        return header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? header[BearerPrefix.Length..].Trim() : null;
    }

    /// <summary>The secret of an Authorization header with the node scheme; null when there is none.</summary>
    private string? NodeSecret()
    {
        string? header = Request.Headers.Authorization;
        var prefix = NodeCalls.AuthorizationScheme + " ";
        return header is not null && header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }

    private AuthenticateResult AuthenticateNode(string secret)
    {
        // Compared in constant time: the secret admits node-to-node calls, and its timing must not leak it.
        if (cluster.Value.Secret is { } expected &&
            CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(expected)))
            return Success("node", BgtaskAuth.NodeRole);
        return AuthenticateResult.Fail("The cluster secret is not valid.");
    }

    private async Task<AuthenticateResult> AuthenticateWorkerAsync(string token)
    {
        const string invalid = "The worker token is not valid: no task has it.";
        if (token.Length is 0 or > MaxTokenLength) return AuthenticateResult.Fail(invalid);

        // Only the token's hash is stored (indexed); looking up a hash leaks nothing about the token by its timing.
        var hash = WorkerTokens.Hash(token);
        long? pid = tokens.TryFind(hash, out var known) ? known : null;
        if (pid is null)
        {
            var db = Context.RequestServices.GetRequiredService<BgtaskDbContext>();
            var found = await db.FindByTokenHashAsync(hash, Context.RequestAborted);
            pid = found?.Pid;
            if (found is { } task && !task.Status.IsTerminal()) tokens.Remember(hash, task.Pid);
        }
        return pid is { } p
            ? Success($"worker:{p}", BgtaskAuth.WorkerRole, new Claim(BgtaskAuth.PidClaim, p.ToString()))
            : AuthenticateResult.Fail(invalid);
    }

    /// <summary>A null address (a Unix socket, or the in-memory test server) is not loopback.</summary>
    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private AuthenticateResult Success(string name, string role, params Claim[] extra)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), .. extra],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? (keys.IsEmpty
            ? "No API keys are configured, so only clients on this machine (loopback) are let in. " +
              "Configure Auth:ApiKeys to admit others."
            : $"Send an API key in the {BgtaskAuth.ApiKeyHeader} header (a worker sends its token as Authorization: Bearer).");
        Response.Headers.WWWAuthenticate = new(["Bearer", $"ApiKey header=\"{BgtaskAuth.ApiKeyHeader}\""]);
        await AuthProblems.WriteAsync(Context, problems, StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        AuthProblems.WriteAsync(Context, problems, StatusCodes.Status403Forbidden, "Forbidden",
            "This credential may not do this.");
}
