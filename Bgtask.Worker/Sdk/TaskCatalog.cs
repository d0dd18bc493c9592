using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Bgtask.Worker.Sdk;

/// <summary>
/// The tasks that can be launched, by name. Only names registered here run: no class name, path or
/// command line ever comes from a client.
/// </summary>
public sealed class TaskCatalog
{
    private readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public readonly record struct Entry(string Name, string Description, Func<IWorkerTask> Create);

    public IEnumerable<Entry> Entries => _entries.Values;

    public TaskCatalog Add<T>() where T : IWorkerTask, new() => Add(() => new T());

    public TaskCatalog Add(Func<IWorkerTask> create)
    {
        var sample = create();
        if (_entries.ContainsKey(sample.Name))
            throw new InvalidOperationException($"Two tasks are named '{sample.Name}'.");
        _entries[sample.Name] = new Entry(sample.Name, sample.Description, create);
        return this;
    }

    public bool TryGet(string name, out Entry entry) => _entries.TryGetValue(name, out entry);

    /// <summary>Registers every public <see cref="IWorkerTask"/> with a parameterless constructor in the assembly.</summary>
    [RequiresUnreferencedCode("Scans an assembly for task types.")]
    public TaskCatalog AddAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetExportedTypes())
        {
            if (type.IsAbstract || !typeof(IWorkerTask).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
                continue;
            Add(() => (IWorkerTask)Activator.CreateInstance(type)!);
        }
        return this;
    }

    /// <summary>Loads task assemblies from an operator's setting (file paths, or folders of *.dll).</summary>
    [RequiresUnreferencedCode("Loads and scans plugin assemblies.")]
    public TaskCatalog AddPlugins(IEnumerable<string> paths)
    {
        foreach (var path in paths.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            var files = Directory.Exists(path) ? Directory.GetFiles(path, "*.dll") : [path];
            foreach (var file in files)
                AddAssembly(Assembly.LoadFrom(Path.GetFullPath(file)));
        }
        return this;
    }

    /// <summary>The demo tasks every worker and the service know.</summary>
    public static TaskCatalog WithDemos() => new TaskCatalog()
        .Add<Demo.CountTask>()
        .Add<Demo.FailTask>()
        .Add<Demo.BusyTask>();
}
