using System;
using System.Collections.Generic;

namespace TraceCraft.Wire
{
    /// <summary>
    /// Ours, never read by the original (see docs/wire-format.md):
    /// <list type="bullet">
    /// <item><c>receipts/&lt;agent&gt;.json</c> = <c>{"agent", "hidden_broadcasts": [message ids]}</c>: the broadcasts an agent
    /// deleted for itself (a broadcast stays for every other reader).</item>
    /// <item><c>receipts/&lt;agent&gt;/taken/&lt;recipient&gt;/&lt;id&gt;.json</c> = <c>{"agent", "message", "taken_at"}</c>: which
    /// message a consuming read of that agent took; only its existence and its ETag are ever used.</item>
    /// </list>
    /// </summary>
    internal static class ReceiptWire
    {
        public static byte[] WriteHiddenBroadcasts(string agent, IEnumerable<string> messageIds) => WireJson.Write(w =>
        {
            w.WriteString("agent", agent);
            w.WriteStartArray("hidden_broadcasts");
            foreach (var id in messageIds) w.WriteStringValue(id);
            w.WriteEndArray();
        });

        public static IReadOnlyList<string> ReadHiddenBroadcasts(string key, byte[] body)
        {
            using var wire = WireJson.Read(key, body);
            return wire.OptionalStringArray("hidden_broadcasts");
        }

        public static byte[] WriteTaken(string agent, string messageKey, DateTimeOffset takenAt) => WireJson.Write(w =>
        {
            w.WriteString("agent", agent);
            w.WriteString("message", messageKey);
            w.WriteTime("taken_at", takenAt);
        });
    }
}
