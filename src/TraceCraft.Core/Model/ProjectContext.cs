namespace TraceCraft
{
    /// <summary>Who and where: what init sets up and every command works in.</summary>
    public sealed class ProjectContext
    {
        public string Project { get; init; } = "";
        public string Agent { get; init; } = "";
        public string Backend { get; init; } = "";
        /// <summary>The bucket or folder (never a secret).</summary>
        public string Location { get; init; } = "";
        public string? ConfigPath { get; init; }

        public override string ToString() => $"{Agent}@{Project} ({Location})";
    }
}
