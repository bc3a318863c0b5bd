using System;
using System.Collections.Generic;
using System.IO;
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
    /// and one listing cursor per prefix (see <see cref="InboxCursor"/>). Stored as JSON (<see cref="InboxCacheWire"/>) in the agent's private cache folder; a cache that cannot
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
            if (!File.Exists(file)) return new InboxCache();
            try
            {
                return InboxCacheWire.Read(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                warn($"The local inbox cache '{file}' was unreadable and is rebuilt from the store ({e.Message}).");
                return new InboxCache();
            }
        }

        public void Save(string file) => LocalFiles.WriteAtomic(file, InboxCacheWire.Write(this));
    }
}
