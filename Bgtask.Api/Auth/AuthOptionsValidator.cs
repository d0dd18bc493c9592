using Microsoft.Extensions.Options;

namespace Bgtask.Api.Auth;

/// <summary>A key list that cannot work as written fails at start, naming the entry and what is wrong.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public static readonly string[] Roles = [BgtaskAuth.AdminRole, BgtaskAuth.ReaderRole];

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            var at = $"Auth:ApiKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.Name)) errors.Add($"{at}:Name is empty");
            if (string.IsNullOrWhiteSpace(key.Key)) errors.Add($"{at}:Key is empty");
            // A header value arrives trimmed, so such a key could never match.
            else if (key.Key != key.Key.Trim()) errors.Add($"{at}:Key starts or ends with white space");
            if (!Roles.Contains(key.Role, StringComparer.OrdinalIgnoreCase))
                errors.Add($"{at}:Role must be {string.Join(" or ", Roles)}, not '{key.Role}'");
        }
        // Names label the log and the rate limiter's buckets; keys must say who is calling.
        errors.AddRange(Duplicates(options.ApiKeys.Select(k => k.Key), "Auth:ApiKeys has the same Key more than once"));
        errors.AddRange(Duplicates(options.ApiKeys.Select(k => k.Name), "Auth:ApiKeys has the same Name more than once"));
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static IEnumerable<string> Duplicates(IEnumerable<string> values, string error) =>
        values.Where(v => !string.IsNullOrEmpty(v)).GroupBy(v => v, StringComparer.Ordinal).Any(g => g.Count() > 1)
            ? [error]
            : [];
}
