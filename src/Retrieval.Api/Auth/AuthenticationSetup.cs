using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Retrieval.Core.Diagnostics;
using Retrieval.Core.Options;
using Retrieval.Core.Security;

namespace Retrieval.Api.Auth;

internal static class AuthenticationSetup
{
    public const string ReaderPolicy = RetrievalRoles.Reader;
    public const string IngestorPolicy = RetrievalRoles.Ingestor;

    /// <summary>
    /// JWT bearer validation: signature, issuer, audience, lifetime and algorithm are all required. Identity comes
    /// only from the validated token (sub, tenant, groups, roles; names configurable), never from the request.
    /// </summary>
    public static IServiceCollection AddRetrievalAuthentication(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.IsDevelopment || !string.IsNullOrWhiteSpace(o.Authority), "Retrieval:Auth:Authority is required when Retrieval:Auth:Mode is 'oidc'.")
            .ValidateOnStart();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>, IOptions<StorageOptions>>((jwt, authOptions, storage) =>
            {
                var auth = authOptions.Value;
                jwt.MapInboundClaims = false;
                jwt.IncludeErrorDetails = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ValidateIssuerSigningKey = true,
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ValidAudience = auth.Audience,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = auth.Claims.Subject,
                    RoleClaimType = auth.Claims.Roles,
                };

                if (auth.IsDevelopment)
                {
                    var issuer = auth.Issuer ?? DevelopmentIdentity.DefaultIssuer;
                    var identity = DevelopmentIdentity.LoadOrCreateDevelopment(storage.Value.DataDirectory, issuer, auth.Audience);
                    jwt.TokenValidationParameters.ValidIssuer = issuer;
                    jwt.TokenValidationParameters.IssuerSigningKey = identity.GetSecurityKey();
                    jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
                }
                else
                {
                    DevelopmentIdentity.MarkOidc(storage.Value.DataDirectory, auth.Issuer ?? auth.Authority!, auth.Audience);
                    jwt.Authority = auth.Authority;
                    jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
                    if (auth.Issuer is not null)
                    {
                        jwt.TokenValidationParameters.ValidIssuer = auth.Issuer;
                    }
                }

                jwt.Events = new JwtBearerEvents
                {
                    OnAuthenticationFailed = context =>
                    {
                        // The reason is the failure's type (expired, bad signature, …), never the token itself.
                        var audit = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AuditOptions.Category);
                        AuditLog.TokenRejected(audit, context.Request.Path, context.HttpContext.Connection.RemoteIpAddress?.ToString(), context.Exception.GetType().Name);
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = context =>
                    {
                        if (context.Principal is null)
                        {
                            context.Fail("Invalid token.");
                        }
                        else if (!PrincipalFactory.TryCreate(context.Principal, auth, out _, out var error))
                        {
                            var audit = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(AuditOptions.Category);
                            AuditLog.TokenRejected(audit, context.Request.Path, context.HttpContext.Connection.RemoteIpAddress?.ToString(), "MissingOrInvalidClaims");
                            context.Fail(error ?? "Invalid token.");
                        }

                        return Task.CompletedTask;
                    },
                };
            });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(ReaderPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasRole(c, RetrievalRoles.Reader)))
            .AddPolicy(IngestorPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasRole(c, RetrievalRoles.Ingestor)));
        services.AddHttpContextAccessor();
        services.AddHostedService<IdentityInitializer>();
        return services;
    }

    /// <summary>Role check with the same rule as the use cases: case-insensitive, and admin implies every role.</summary>
    private static bool HasRole(Microsoft.AspNetCore.Authorization.AuthorizationHandlerContext context, string role) =>
        context.Resource is HttpContext http && PrincipalFactory.TryCreate(context.User, http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value, out var principal, out _)
            && principal.IsInRole(role);
}
