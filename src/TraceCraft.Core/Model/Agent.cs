using System;

namespace TraceCraft
{
    /// <summary>An entry of the agent registry (<c>agents/&lt;id&gt;.json</c>).</summary>
    public sealed class Agent
    {
        public string Id { get; init; } = "";
        public string Status { get; init; } = "active";
        /// <summary>The step the agent last claimed, if any.</summary>
        public string? Step { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? Heartbeat { get; init; }
        public string? Summary { get; init; }
        /// <summary>Time since the last heartbeat.</summary>
        public TimeSpan? Age { get; init; }
        /// <summary>True when the heartbeat is older than the stale threshold (default 5 minutes).</summary>
        public bool IsStale { get; init; }

        public override string ToString() => Id;
    }
}
