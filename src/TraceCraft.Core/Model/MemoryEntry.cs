using System;

namespace TraceCraft
{
    /// <summary>A shared memory entry (<c>memory/&lt;key path&gt;.json</c>).</summary>
    public sealed class MemoryEntry
    {
        public string Key { get; init; } = "";
        /// <summary>The value as plain data: a string (what the original writes), number, bool, null, dictionary or array.</summary>
        public object? Value { get; init; }
        /// <summary>The value as JSON text.</summary>
        public string ValueJson { get; init; } = "null";
        public string? SetBy { get; init; }
        public DateTimeOffset? SetAt { get; init; }
        /// <summary>The version (the object's ETag): pass it to -IfVersion for a compare-and-set.</summary>
        public string? Version { get; init; }

        /// <summary>The value as the original prints it: strings bare, anything else as JSON.</summary>
        public string ValueText => Value as string ?? ValueJson;

        public override string ToString() => $"{Key} = {ValueText}";
    }
}
