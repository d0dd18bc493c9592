using System.Security.Cryptography;
using System.Text;

namespace Bgtask.Api.Auth;

/// <summary>The secret a worker gets at launch. Only its SHA-256 is stored.</summary>
public static class WorkerTokens
{
    public static string Mint() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
