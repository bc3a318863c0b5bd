using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using TraceCraft.Protocol;

namespace TraceCraft.Wire
{
    /// <summary>
    /// The local inbox cache (<c>&lt;cache&gt;/inbox/&lt;hash&gt;/inbox.json</c>, never in the bucket): message bodies, which were
    /// shown, one listing cursor per prefix, the hidden broadcasts with the ETag they were read at, and other readers'
    /// receipts as first seen. Read strictly: any surprise throws (<see cref="JsonException"/>,
    /// <see cref="KeyNotFoundException"/> or <see cref="System.InvalidOperationException"/>), and <see cref="InboxCache.Load"/>
    /// then rebuilds the cache from the store.
    /// </summary>
    internal static class InboxCacheWire
    {
        public static byte[] Write(InboxCache cache) => WireJson.Write(w =>
        {
            w.WriteStartObject("cursors");
            foreach (var c in cache.Cursors)
            {
                w.WriteStartObject(c.Key);
                w.WriteTime("listed_at", c.Value.ListedAt);
                w.WriteTime("full_list_at", c.Value.FullListAt);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteStartArray("messages");
            foreach (var m in cache.Messages.Values)
            {
                w.WriteStartObject();
                w.WriteString("key", m.Message.Key);
                w.WriteString("id", m.Message.Id);
                w.WriteString("from", m.Message.From);
                w.WriteString("to", m.Message.To);
                w.WriteBoolean("broadcast", m.Message.Kind == MessageKind.Broadcast);
                w.WriteString("text", m.Message.Text);
                w.WriteTime("sent_at", m.Message.SentAt);
                w.WriteBoolean("seen", m.Seen);
                if (m.OversizedBytes is long oversized) w.WriteNumber("oversized_bytes", oversized);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("hidden_broadcasts");
            foreach (var h in cache.HiddenBroadcasts) w.WriteStringValue(h);
            w.WriteEndArray();
            w.WriteStringOrNull("receipts_etag", cache.ReceiptsETag);
            w.WriteStartArray("contested");
            // Only for messages still in the inbox: a message that went takes its record with it.
            foreach (var c in cache.Contested.Where(c => cache.Messages.ContainsKey(c.Key)))
            {
                w.WriteStartObject();
                w.WriteString("message", c.Key);
                w.WriteString("etag", c.Value.ETag);
                w.WriteTime("first_seen", c.Value.FirstSeen);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });

        public static InboxCache Read(byte[] body)
        {
            var cache = new InboxCache();
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            foreach (var c in root.GetProperty("cursors").EnumerateObject())
            {
                // A cursor of an older cache (a last key instead of a time) is dropped: the next read lists whole.
                if (!c.Value.TryGetProperty("listed_at", out var listed) || !WireTime.TryParse(listed.GetString(), out var listedAt)) continue;
                WireTime.TryParse(c.Value.GetProperty("full_list_at").GetString(), out var at);
                cache.Cursors[c.Name] = new InboxCursor(listedAt, at);
            }
            foreach (var m in root.GetProperty("messages").EnumerateArray())
            {
                WireTime.TryParse(m.GetProperty("sent_at").GetString(), out var sent);
                var message = new Message
                {
                    Id = m.GetProperty("id").GetString() ?? "",
                    From = m.GetProperty("from").GetString() ?? "",
                    To = m.GetProperty("to").GetString() ?? "",
                    Kind = m.GetProperty("broadcast").GetBoolean() ? MessageKind.Broadcast : MessageKind.Direct,
                    Text = m.GetProperty("text").GetString() ?? "",
                    SentAt = sent,
                    Key = m.GetProperty("key").GetString() ?? "",
                };
                long? oversized = m.TryGetProperty("oversized_bytes", out var size) && size.ValueKind == JsonValueKind.Number ? size.GetInt64() : null;
                cache.Messages[message.Key] = new CachedMessage(message, m.GetProperty("seen").GetBoolean(), oversized);
            }
            foreach (var h in root.GetProperty("hidden_broadcasts").EnumerateArray()) cache.HiddenBroadcasts.Add(h.GetString() ?? "");
            cache.ReceiptsETag = root.TryGetProperty("receipts_etag", out var etag) && etag.ValueKind == JsonValueKind.String ? etag.GetString() : null;
            if (root.TryGetProperty("contested", out var contested))
                foreach (var c in contested.EnumerateArray())
                    if (WireTime.TryParse(c.GetProperty("first_seen").GetString(), out var seen))
                        cache.Contested[c.GetProperty("message").GetString() ?? ""] = new ContestedReceipt(c.GetProperty("etag").GetString() ?? "", seen);
            return cache;
        }
    }
}
