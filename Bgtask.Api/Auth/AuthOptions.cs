namespace Bgtask.Api.Auth;

/// <summary>The "Auth" section. No keys: only loopback clients are let in, as Admin.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public List<ApiKeyOptions> ApiKeys { get; set; } = [];
}

/// <summary>One client's key, sent as X-Api-Key. Role is Admin (everything) or Reader (reads only).</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";
    public string Key { get; set; } = "";
    public string Role { get; set; } = "";
}
