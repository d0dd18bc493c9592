using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Bgtask.Core.Storage;

/// <summary>Every time is stored as UTC; databases forget the kind, so it is put back on read.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
