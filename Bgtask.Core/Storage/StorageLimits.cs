namespace Bgtask.Core.Storage;

/// <summary>Column sizes. The API's configurable limits can be lower, never higher.</summary>
public static class StorageLimits
{
    public const int TaskName = 200;
    public const int Description = 1000;
    public const int Message = 4000;
    public const int ExclusiveKey = 200;
    public const int NodeName = 255;
    public const int NodeUrl = 500;
}
