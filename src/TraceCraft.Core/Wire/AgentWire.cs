using System;
using System.IO;
using TraceCraft.Protocol;

namespace TraceCraft.Wire
{
    /// <summary>
    /// <c>agents/&lt;agent&gt;.json</c> = the original's <c>{"id", "status", "step", "started_at", "heartbeat", "summary"}</c>
    /// (see docs/wire-format.md), and the local heartbeat marker that rate-limits our writes of it.
    /// </summary>
    internal static class AgentWire
    {
        public static byte[] Write(Agent agent) => WireJson.Write(w =>
        {
            w.WriteString("id", agent.Id);
            w.WriteString("status", agent.Status);
            w.WriteStringOrNull("step", agent.Step);
            w.WriteTimeOrNull("started_at", agent.StartedAt);
            w.WriteTimeOrNull("heartbeat", agent.Heartbeat);
            w.WriteStringOrNull("summary", agent.Summary);
        });

        /// <summary>Reads a record as stored: without <see cref="Agent.Age"/>, which depends on the reader's clock.</summary>
        public static Agent Read(string key, byte[] body)
        {
            using var wire = WireJson.Read(key, body);
            return new Agent
            {
                Id = wire.OptionalString("id") ?? Path.GetFileNameWithoutExtension(key),
                Status = wire.OptionalString("status") ?? "active",
                Step = wire.OptionalString("step"),
                StartedAt = wire.OptionalTime("started_at"),
                Heartbeat = wire.OptionalTime("heartbeat"),
                Summary = wire.OptionalString("summary"),
            };
        }

        // ---- The heartbeat marker: a local file of this agent's (never in the bucket), what it last wrote and when. ----

        public static byte[] WriteMarker(HeartbeatMarker marker) => WireJson.Write(w =>
        {
            w.WriteTime("started_at", marker.StartedAt);
            w.WriteStringOrNull("step", marker.Step);
            w.WriteStringOrNull("summary", marker.Summary);
            w.WriteTime("written_at", marker.WrittenAt);
        });

        public static HeartbeatMarker ReadMarker(string file, byte[] body)
        {
            using var wire = WireJson.Read(file, body);
            return new HeartbeatMarker
            {
                StartedAt = wire.RequiredTime("started_at"),
                Step = wire.OptionalString("step"),
                Summary = wire.OptionalString("summary"),
                WrittenAt = wire.RequiredTime("written_at"),
            };
        }
    }
}
