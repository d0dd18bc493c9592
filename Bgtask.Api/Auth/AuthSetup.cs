using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Bgtask.Api.Auth;

public static class AuthSetup
{
    /// <summary>
    /// One scheme and one policy, the fallback for every endpoint that says nothing else: a new route is
    /// closed until someone opens it (<c>AllowAnonymous</c>, <c>AllowWorker</c>).
    /// </summary>
    public static IHostApplicationBuilder AddBgtaskAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddSingleton<ApiKeyRing>();
        builder.Services.AddSingleton<WorkerTokenCache>();

        // AddAuthentication() would add Data Protection too, which nothing here uses and which writes a key ring at start.
        builder.Services.AddAuthenticationCore(o => o.DefaultScheme = BgtaskAuth.Scheme).AddWebEncoders();
        new AuthenticationBuilder(builder.Services)
            .AddScheme<AuthenticationSchemeOptions, BgtaskAuthenticationHandler>(BgtaskAuth.Scheme, null);
        // No scheme on the policy: the user the authentication middleware found is the one it judges.
        var policy = new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .AddRequirements(new AccessRequirement())
            .Build();
        builder.Services.AddAuthorizationBuilder().SetDefaultPolicy(policy).SetFallbackPolicy(policy);
        builder.Services.AddSingleton<IAuthorizationHandler, AccessHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

        builder.Services.ConfigureSwaggerGen(AuthOpenApi.Configure);
        return builder;
    }

    /// <summary>Authentication and authorization, after Swagger (which stays open) and before the endpoints.</summary>
    public static WebApplication UseBgtaskAuth(this WebApplication app)
    {
        var keys = app.Services.GetRequiredService<ApiKeyRing>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bgtask.Auth");
        if (keys.IsEmpty)
            logger.LogWarning("No API keys are configured (Auth:ApiKeys): only loopback clients are let in, as Admin; " +
                              "every other client gets 401");
        else
            logger.LogInformation("API keys configured: {KeyNames}", keys.Names);

        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
