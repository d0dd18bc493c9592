using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Bgtask.Api.OpenApi;

/// <summary>The document's tags: every tag an operation uses, in <see cref="ApiTags"/> order, with its description.</summary>
public sealed class TagOrderDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var used = document.Paths.Values
            .SelectMany(path => path.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            .SelectMany(operation => operation.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(tag => tag.Name)
            .OfType<string>()
            .Distinct();
        // A sorted set, so the order is the comparer's and not an accident of insertion.
        var byRank = Comparer<OpenApiTag>.Create((a, b) =>
            ApiTags.Rank(a.Name) != ApiTags.Rank(b.Name)
                ? ApiTags.Rank(a.Name).CompareTo(ApiTags.Rank(b.Name))
                : string.CompareOrdinal(a.Name, b.Name));
        document.Tags = new SortedSet<OpenApiTag>(
            used.Select(name => new OpenApiTag { Name = name, Description = ApiTags.DescriptionOf(name) }), byRank);
    }
}
