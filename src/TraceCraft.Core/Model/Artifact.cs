using System;

namespace TraceCraft
{
    /// <summary>A shared file (<c>artifacts/&lt;sid or shared&gt;/&lt;name&gt;</c>).</summary>
    public sealed class Artifact
    {
        public string Name { get; init; } = "";
        /// <summary>The step the artifact belongs to; null for shared artifacts.</summary>
        public string? Step { get; init; }
        public string Key { get; init; } = "";
        public long Size { get; init; }
        public DateTimeOffset Modified { get; init; }
        /// <summary>Set on the objects Save-TcArtifact emits: where the file was written.</summary>
        public string? LocalPath { get; init; }

        public override string ToString() => Key;
    }
}
