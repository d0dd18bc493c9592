using System.ComponentModel.DataAnnotations;
using Bgtask.Core.Storage;

namespace Bgtask.Api.Limits;

/// <summary>What a client may send. The defaults are the contract's.</summary>
public sealed class ApiLimits
{
    public const string SectionName = "Limits";

    [Range(1, 256 * 1024 * 1024)] public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
    [Range(1, StorageLimits.Description)] public int MaxDescriptionLength { get; set; } = 1000;
    [Range(1, StorageLimits.Message)] public int MaxMessageLength { get; set; } = 4000;
    [Range(2, 16 * 1024 * 1024)] public int MaxConfigBytes { get; set; } = 64 * 1024;
    [Range(1, 100_000)] public int MaxLogLinesPerRequest { get; set; } = 1000;
    [Range(1, 1024 * 1024)] public int MaxLogLineBytes { get; set; } = 8 * 1024;
}
