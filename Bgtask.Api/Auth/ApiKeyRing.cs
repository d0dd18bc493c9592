using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Auth;

/// <summary>
/// The configured API keys, held as SHA-256 hashes: every presented key is hashed and compared with every
/// configured one in constant time, so neither the key's content nor its length shows in the timing.
/// </summary>
public sealed class ApiKeyRing
{
    private readonly Entry[] _entries;

    public ApiKeyRing(IOptions<AuthOptions> options) =>
        _entries = options.Value.ApiKeys
            .Select(k => new Entry(new ApiKeyMatch(k.Name, CanonicalRole(k.Role)), Hash(k.Key)))
            .ToArray();

    public bool IsEmpty => _entries.Length == 0;

    public IEnumerable<string> Names => _entries.Select(e => e.Match.Name);

    public ApiKeyMatch? Find(string presented)
    {
        var hash = Hash(presented);
        ApiKeyMatch? found = null;
        // No early exit: the time taken does not depend on which key matched.
        foreach (var entry in _entries)
            if (CryptographicOperations.FixedTimeEquals(entry.Hash, hash)) found = entry.Match;
        return found;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string CanonicalRole(string role) =>
        AuthOptionsValidator.Roles.First(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));

    private sealed record Entry(ApiKeyMatch Match, byte[] Hash);
}

public sealed record ApiKeyMatch(string Name, string Role);
