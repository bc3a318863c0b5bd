using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using TraceCraft.Json;

namespace TraceCraft.Protocol
{
    internal sealed class CachedMessage
    {
        public CachedMessage(Message message, bool seen)
        {
            Message = message;
            Seen = seen;
        }

        public Message Message { get; }
        public bool Seen { get; set; }
    }

    internal sealed class InboxCursor
    {
        public InboxCursor(string lastKey, DateTimeOffset fullListAt)
        {
            LastKey = lastKey;
            FullListAt = fullListAt;
        }

        public string LastKey { get; }
        public DateTimeOffset FullListAt { get; }
    }

    /// <summary>
    /// The local copy of an agent's inbox: message bodies (immutable, so safe to keep), whether each was shown,
    /// and one listing cursor per prefix. Stored as JSON in the agent's private cache folder; a cache that cannot
    /// be read is dropped and rebuilt from the store, so it can never lose a message.
    /// </summary>
    internal sealed class InboxCache
    {
        public Dictionary<string, CachedMessage> Messages { get; } = new Dictionary<string, CachedMessage>(StringComparer.Ordinal);
        public Dictionary<string, InboxCursor> Cursors { get; } = new Dictionary<string, InboxCursor>(StringComparer.Ordinal);
        public List<string> HiddenBroadcasts { get; } = new List<string>();
        public string? ReceiptsETag { get; set; }

        public static InboxCache Load(string file, Action<string> warn)
        {
            var cache = new InboxCache();
            if (!File.Exists(file)) return cache;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file));
                var root = document.RootElement;
                foreach (var c in root.GetProperty("cursors").EnumerateObject())
                {
                    WireTime.TryParse(c.Value.GetProperty("full_list_at").GetString(), out var at);
                    cache.Cursors[c.Name] = new InboxCursor(c.Value.GetProperty("last_key").GetString() ?? "", at);
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
                    cache.Messages[message.Key] = new CachedMessage(message, m.GetProperty("seen").GetBoolean());
                }
                foreach (var h in root.GetProperty("hidden_broadcasts").EnumerateArray()) cache.HiddenBroadcasts.Add(h.GetString() ?? "");
                cache.ReceiptsETag = root.TryGetProperty("receipts_etag", out var etag) && etag.ValueKind == JsonValueKind.String ? etag.GetString() : null;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                warn($"The local inbox cache '{file}' was unreadable and is rebuilt from the store ({e.Message}).");
                return new InboxCache();
            }
            return cache;
        }

        public void Save(string file)
        {
            byte[] body = WireJson.Write(w =>
            {
                w.WriteStartObject("cursors");
                foreach (var c in Cursors)
                {
                    w.WriteStartObject(c.Key);
                    w.WriteString("last_key", c.Value.LastKey);
                    w.WriteTime("full_list_at", c.Value.FullListAt);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteStartArray("messages");
                foreach (var m in Messages.Values)
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
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("hidden_broadcasts");
                foreach (var h in HiddenBroadcasts) w.WriteStringValue(h);
                w.WriteEndArray();
                w.WriteStringOrNull("receipts_etag", ReceiptsETag);
            });
            LocalFiles.WriteAtomic(file, body);
        }
    }
}
