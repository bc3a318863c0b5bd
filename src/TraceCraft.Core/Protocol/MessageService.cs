using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Json;
using TraceCraft.Keys;
using TraceCraft.Storage;

namespace TraceCraft.Protocol
{
    /// <summary>What an inbox read returns.</summary>
    public sealed class InboxQuery
    {
        /// <summary>Only messages no earlier read of this agent returned.</summary>
        public bool UnreadOnly { get; init; }
        /// <summary>List the whole inbox again instead of only what is new (also done every 5 minutes).</summary>
        public bool Refresh { get; init; }
    }

    /// <summary>
    /// Direct and broadcast messages. Messages are immutable, so an inbox read lists only keys after a cursor
    /// (less a 60 s window, so that a sender whose clock is up to 60 s behind is still seen), fetches only bodies
    /// it has not cached, and merges them with a local cache: the cost grows with what is new, not with the
    /// history. Deleting a broadcast hides it for this agent only (a per-agent receipt), never for the others.
    /// </summary>
    public sealed class MessageService
    {
        public static readonly TimeSpan SkewWindow = TimeSpan.FromSeconds(60);
        private static readonly TimeSpan FullRelistEvery = TimeSpan.FromMinutes(5);
        private readonly TcSession _session;

        internal MessageService(TcSession session) => _session = session;

        /// <summary>Sends a message to an agent or to <c>_broadcast</c>.</summary>
        public async Task<Message> SendAsync(string to, string text, CancellationToken cancellationToken = default)
        {
            string recipient = IdValidator.ValidateRecipient(to);
            if (text is null) throw new TcException(TcErrorCode.InvalidArgument, "The message text is missing.");
            var now = _session.Clock.Now;
            string key = _session.Layout.MessageKey(recipient, WireTime.ToUnixNanoseconds(now), _session.AgentId, RandomHex8());
            byte[] body = WireJson.Write(w =>
            {
                w.WriteString("from", _session.AgentId);
                w.WriteString("to", recipient);
                w.WriteString("message", text);
                w.WriteTime("sent_at", now);
            });
            // A fresh random key never exists: create-only makes a retried send after a lost response harmless.
            await _session.Store.PutAsync(key, body, WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
            return new Message
            {
                Id = IdOf(key),
                From = _session.AgentId,
                To = recipient,
                Kind = recipient == IdValidator.Broadcast ? MessageKind.Broadcast : MessageKind.Direct,
                Text = text,
                SentAt = now,
                Key = key,
            };
        }

        /// <summary>The inbox: direct messages and others' broadcasts, sorted by the time they were sent.</summary>
        public async Task<IReadOnlyList<Message>> ReadAsync(InboxQuery? query = null, CancellationToken cancellationToken = default)
        {
            query ??= new InboxQuery();
            var cache = InboxCache.Load(CacheFile, _session.Warn);
            var now = DateTimeOffset.UtcNow;
            // The two listings and the receipts read do not depend on each other: one round trip instead of three.
            var listings = new[] { DirectPrefix, BroadcastPrefix }.Select(p => ListNewAsync(cache, p, query.Refresh, now, cancellationToken)).ToArray();
            var receipts = ReadReceiptsAsync(cache, cancellationToken);
            await Task.WhenAll(listings.Cast<Task>().Append(receipts)).ConfigureAwait(false);
            foreach (var listing in listings)
                await ApplyListingAsync(cache, listing.Result, now, cancellationToken).ConfigureAwait(false);
            var hidden = receipts.Result;

            var visible = cache.Messages.Values
                .Where(m => !(m.Message.Kind == MessageKind.Broadcast && (m.Message.From == _session.AgentId || hidden.Contains(m.Message.Id))))
                .Where(m => !query.UnreadOnly || !m.Seen)
                .OrderBy(m => m.Message.SentAt).ThenBy(m => m.Message.Key, StringComparer.Ordinal)
                .ToList();
            foreach (var m in visible) m.Seen = true;
            cache.Save(CacheFile);
            return visible.Select(m => m.Message).ToList();
        }

        /// <summary>Blocks until a message arrives that no earlier read returned, or the timeout passes (then returns none).</summary>
        public async Task<IReadOnlyList<Message>> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var watch = Stopwatch.StartNew();
            var interval = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                var unread = await ReadAsync(new InboxQuery { UnreadOnly = true }, cancellationToken).ConfigureAwait(false);
                if (unread.Count > 0 || watch.Elapsed >= timeout) return unread;
                var left = timeout - watch.Elapsed;
                await Task.Delay(left < interval ? left : interval, cancellationToken).ConfigureAwait(false);
                interval = TimeSpan.FromMilliseconds(Math.Min(1000, interval.TotalMilliseconds * 1.5));
            }
        }

        /// <summary>
        /// Deletes messages that were read: direct ones from the store, broadcasts only for this agent (a receipt).
        /// Returns how many were removed from this agent's inbox.
        /// </summary>
        public async Task<int> DeleteAsync(IEnumerable<Message> messages, CancellationToken cancellationToken = default)
        {
            var list = messages.ToList();
            var direct = list.Where(m => m.Kind == MessageKind.Direct).ToList();
            foreach (var m in direct)
            {
                if (!m.Key.StartsWith(DirectPrefix, StringComparison.Ordinal))
                    throw new TcException(TcErrorCode.InvalidArgument, $"Message {m.Id} is not in the inbox of {_session.AgentId}: only your own messages can be deleted.", m.Id);
            }
            await Parallelism.MapAsync(direct, m => _session.Store.DeleteAsync(m.Key, cancellationToken), cancellationToken).ConfigureAwait(false);
            var broadcasts = list.Where(m => m.Kind == MessageKind.Broadcast).Select(m => m.Id).ToList();
            if (broadcasts.Count > 0) await AddReceiptsAsync(broadcasts, cancellationToken).ConfigureAwait(false);

            var cache = InboxCache.Load(CacheFile, _session.Warn);
            foreach (var m in list) cache.Messages.Remove(m.Key);
            cache.Save(CacheFile);
            return list.Count;
        }

        private string DirectPrefix => _session.Layout.MessagesPrefix(_session.AgentId);
        private string BroadcastPrefix => _session.Layout.MessagesPrefix(IdValidator.Broadcast);
        private string CacheFile => System.IO.Path.Combine(_session.PrivateCacheFolder("inbox"), "inbox.json");

        /// <summary>What one listing of a prefix found, and where it started.</summary>
        private sealed class Listing
        {
            public string Prefix = "";
            public string? StartAfter;
            public bool Full;
            public InboxCursor? Cursor;
            public List<ObjectInfo> Objects = new List<ObjectInfo>();
        }

        /// <summary>Lists a prefix from the cursor (less the skew window), or whole every 5 minutes. Reads the cache only.</summary>
        private async Task<Listing> ListNewAsync(InboxCache cache, string prefix, bool refresh, DateTimeOffset now, CancellationToken cancellationToken)
        {
            cache.Cursors.TryGetValue(prefix, out var cursor);
            bool full = refresh || cursor is null || now - cursor.FullListAt > FullRelistEvery;
            string? startAfter = full ? null : WindowStart(prefix, cursor!.LastKey);
            var objects = await _session.Store.ListAllAsync(prefix, startAfter, cancellationToken).ConfigureAwait(false);
            return new Listing { Prefix = prefix, StartAfter = startAfter, Full = full, Cursor = cursor, Objects = objects };
        }

        /// <summary>Drops what the listing covered but no longer holds, fetches the bodies not cached yet, moves the cursor.</summary>
        private async Task ApplyListingAsync(InboxCache cache, Listing listing, DateTimeOffset now, CancellationToken cancellationToken)
        {
            string prefix = listing.Prefix;
            var listedKeys = new HashSet<string>(listing.Objects.Select(o => o.Key), StringComparer.Ordinal);

            // Deleted meanwhile (by us elsewhere, or by the original's --delete).
            foreach (var gone in cache.Messages.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)
                         && (listing.StartAfter is null || string.CompareOrdinal(k, listing.StartAfter) > 0) && !listedKeys.Contains(k)).ToList())
                cache.Messages.Remove(gone);

            var fresh = listing.Objects.Where(o => o.Key.EndsWith(".json", StringComparison.Ordinal) && !cache.Messages.ContainsKey(o.Key)).Select(o => o.Key).ToList();
            var bodies = await Parallelism.MapAsync(fresh, k => _session.Store.GetAsync(k, null, cancellationToken), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < fresh.Count; i++)
            {
                if (!bodies[i].Found) continue;
                try
                {
                    cache.Messages[fresh[i]] = new CachedMessage(Parse(fresh[i], bodies[i].Body!, prefix == BroadcastPrefix), seen: false);
                }
                catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                {
                    _session.Warn($"Skipped message '{fresh[i]}': {e.Message}");
                }
            }

            var cursor = listing.Cursor;
            string last = listing.Objects.Count > 0 ? listing.Objects[listing.Objects.Count - 1].Key : cursor?.LastKey ?? "";
            if (cursor?.LastKey is string previous && string.CompareOrdinal(previous, last) > 0) last = previous;
            cache.Cursors[prefix] = new InboxCursor(last, listing.Full ? now : cursor!.FullListAt);
        }

        /// <summary>The key to list after: the cursor's time less the skew window.</summary>
        private static string? WindowStart(string prefix, string lastKey)
        {
            if (lastKey.Length <= prefix.Length) return null;
            string name = lastKey.Substring(prefix.Length);
            int underscore = name.IndexOf('_');
            if (underscore <= 0 || !long.TryParse(name.Substring(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out long ns)) return null;
            long start = ns - (long)SkewWindow.TotalMilliseconds * 1_000_000;
            return start <= 0 ? null : prefix + start.ToString(CultureInfo.InvariantCulture);
        }

        private async Task<HashSet<string>> ReadReceiptsAsync(InboxCache cache, CancellationToken cancellationToken)
        {
            string key = _session.Layout.ReceiptsKey(_session.AgentId);
            var read = await _session.Store.GetAsync(key, cache.ReceiptsETag, cancellationToken).ConfigureAwait(false);
            if (read.Status == ReadStatus.NotModified) return new HashSet<string>(cache.HiddenBroadcasts, StringComparer.Ordinal);
            cache.HiddenBroadcasts.Clear();
            cache.ReceiptsETag = null;
            if (read.Found)
            {
                try
                {
                    using var wire = WireJson.Read(key, read.Body!);
                    cache.HiddenBroadcasts.AddRange(wire.OptionalStringArray("hidden_broadcasts"));
                    cache.ReceiptsETag = read.ETag;
                }
                catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                {
                    _session.Warn($"Ignored the receipts '{key}': {e.Message}");
                }
            }
            return new HashSet<string>(cache.HiddenBroadcasts, StringComparer.Ordinal);
        }

        private async Task AddReceiptsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
        {
            string key = _session.Layout.ReceiptsKey(_session.AgentId);
            for (int attempt = 0; attempt < 10; attempt++)
            {
                var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
                var hidden = new List<string>();
                if (read.Found)
                {
                    try
                    {
                        using var wire = WireJson.Read(key, read.Body!);
                        hidden.AddRange(wire.OptionalStringArray("hidden_broadcasts"));
                    }
                    catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                    {
                        _session.Warn($"Replaced the unreadable receipts '{key}': {e.Message}");
                    }
                }
                foreach (var id in ids) if (!hidden.Contains(id)) hidden.Add(id);
                byte[] body = WireJson.Write(w =>
                {
                    w.WriteString("agent", _session.AgentId);
                    w.WriteStartArray("hidden_broadcasts");
                    foreach (var id in hidden) w.WriteStringValue(id);
                    w.WriteEndArray();
                });
                var condition = read.Found ? WriteCondition.IfMatch(read.ETag!) : WriteCondition.IfAbsent;
                var result = await _session.Store.PutAsync(key, body, condition, "application/json", cancellationToken).ConfigureAwait(false);
                if (result.Written) return;
            }
            throw new TcException(TcErrorCode.StoreFailed, $"Could not record the deleted broadcasts for {_session.AgentId}: the receipts kept changing.", key);
        }

        internal static Message Parse(string key, byte[] body, bool broadcast)
        {
            using var wire = WireJson.Read(key, body);
            return new Message
            {
                Id = IdOf(key),
                From = wire.RequiredString("from"),
                To = wire.OptionalString("to") ?? "",
                Kind = broadcast ? MessageKind.Broadcast : MessageKind.Direct,
                Text = wire.OptionalString("message") ?? "",
                SentAt = wire.RequiredTime("sent_at"),
                Key = key,
            };
        }

        private static string IdOf(string key)
        {
            string name = key.Substring(key.LastIndexOf('/') + 1);
            return name.EndsWith(".json", StringComparison.Ordinal) ? name.Substring(0, name.Length - 5) : name;
        }

        private static string RandomHex8()
        {
            var bytes = new byte[4];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(bytes);
            return BitConverter.ToString(bytes).Replace("-", "").ToLowerInvariant();
        }
    }
}
