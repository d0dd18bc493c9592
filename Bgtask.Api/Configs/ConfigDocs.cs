namespace Bgtask.Api.Configs;

/// <summary>What the Swagger document says about a task's config: rules and errors, from the contract.</summary>
public static class ConfigDocs
{
    public const string Get = """
        The task's config and its `version` (1 at launch, one more per replacement), with `ETag: "<version>"`.

        Errors: 404 for an unknown pid.
        """;

    public const string Put = """
        Replaces the task's config with the JSON object in the body and adds one to its `version`; a running task
        sees the new config at its next check-point (a worker waiting on its signals learns of it at once).
        Answers with the new version and its `ETag`.

        - `If-Match: "<version>"`: replace only while the config is at that version (`*`: any version).
        - The body: a JSON object of valid UTF-8, 64 KiB at most by default.

        Errors: 400 for a body that is not such an object; 404 for an unknown pid; 409 when the task has ended (its
        config can still be read); 412 when `If-Match` names another version.
        """;
}
