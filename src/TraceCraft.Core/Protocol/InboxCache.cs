using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using TraceCraft.Wire;

namespace TraceCraft.Protocol
{
    internal sealed class CachedMessage
    {
        public CachedMessage(Message message, bool seen, long? oversizedBytes = null)
        {
            Message = message;
            Seen = seen;
            OversizedBytes = oversizedBytes;
        }

        public Message Message { get; }
        public bool Seen { get; set; }
        /// <summary>Set when the object was too big to read: the message is a placeholder built from its key.</summary>
        public long? OversizedBytes { get; }
    }

    /// <summary>
    /// Where the next incremental listing of a prefix starts: the reader's own store-corrected time when the last
    /// listing began (never a key, which carries some sender's clock), and when the prefix was last listed whole.
    /// </summary>
    internal sealed class InboxCursor
    {
        public InboxCursor(DateTimeOffset listedAt, DateTimeOffset fullListAt)
        {
            ListedAt = listedAt;
            FullListAt = fullListAt;
        }

        public DateTimeOffset ListedAt { get; }
        public DateTimeOffset FullListAt { get; }
    }

    /// <summary>
    /// A taken receipt of another reader, as this reader first saw it: if the same version is still there
    /// <see cref="MessageService.TakenReceiptExpiry"/> later by this reader's own clock, its taker died. Only elapsed time
    /// on one clock is compared, so no clock skew between readers can make a fresh receipt look old.
    /// </summary>
    internal sealed class ContestedReceipt
    {
        public ContestedReceipt(string etag, DateTimeOffset firstSeen)
        {
            ETag = etag;
            FirstSeen = firstSeen;
        }

        public string ETag { get; }
        public DateTimeOffset FirstSeen { get; }
    }

    /// <summary>
    /// The local copy of an agent's inbox: message bodies (immutable, so safe to keep), whether each was shown,
    /// and one listing cursor per prefix (see <see cref="InboxCursor"/>). Stored as JSON in the agent's private cache folder; a cache that cannot
    /// be read is dropped and rebuilt from the store, so it can never lose a message.
    /// </summary>
    internal sealed class InboxCache
    {
        public Dictionary<string, CachedMessage> Messages { get; } = new Dictionary<string, CachedMessage>(StringComparer.Ordinal);
        public Dictionary<string, InboxCursor> Cursors { get; } = new Dictionary<string, InboxCursor>(StringComparer.Ordinal);
        public List<string> HiddenBroadcasts { get; } = new List<string>();
        /// <summary>Other readers' receipts on messages of this inbox, by message key.</summary>
        public Dictionary<string, ContestedReceipt> Contested { get; } = new Dictionary<string, ContestedReceipt>(StringComparer.Ordinal);
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
                    w.WriteTime("listed_at", c.Value.ListedAt);
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
                    if (m.OversizedBytes is long oversized) w.WriteNumber("oversized_bytes", oversized);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("hidden_broadcasts");
                foreach (var h in HiddenBroadcasts) w.WriteStringValue(h);
                w.WriteEndArray();
                w.WriteStringOrNull("receipts_etag", ReceiptsETag);
                w.WriteStartArray("contested");
                // Only for messages still in the inbox: a message that went takes its record with it.
                foreach (var c in Contested.Where(c => Messages.ContainsKey(c.Key)))
                {
                    w.WriteStartObject();
                    w.WriteString("message", c.Key);
                    w.WriteString("etag", c.Value.ETag);
                    w.WriteTime("first_seen", c.Value.FirstSeen);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            LocalFiles.WriteAtomic(file, body);
        }
    }
}
