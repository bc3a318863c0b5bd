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

        /// <summary>
        /// This record as a reader at <paramref name="now"/> sees it: its age, and stale when older than
        /// <paramref name="staleAfter"/> or without a heartbeat.
        /// </summary>
        internal Agent AgedAt(DateTimeOffset now, TimeSpan staleAfter)
        {
            TimeSpan? age = Heartbeat is DateTimeOffset h ? now - h : null;
            return new Agent
            {
                Id = Id, Status = Status, Step = Step, StartedAt = StartedAt, Heartbeat = Heartbeat, Summary = Summary,
                Age = age,
                IsStale = age is null || age > staleAfter,
            };
        }

        public override string ToString() => Id;
    }
}
